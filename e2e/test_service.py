"""The service as a user meets it: a real uvicorn process, the offline engine, a SQLite file."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from e2e.conftest import KEY
from e2e.server import Server

TEXTS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "texts"
HEADERS = {"X-API-Key": KEY}
FINISHED = {"succeeded", "partial", "failed", "cancelled"}


def article(name: str) -> str:
    return (TEXTS / name).read_text()


def articles() -> list[str]:
    """The ~800-word sample articles (the long benchmark text is left out)."""
    names = [p.name for p in sorted(TEXTS.glob("*.txt")) if 500 <= len(p.read_text().split()) <= 1200]
    assert len(names) >= 2, "the fixtures need at least two ~800-word articles"
    return names


def distinctive_terms(text: str, other: str, count: int = 12) -> list[str]:
    """Long words frequent in ``text`` and absent from ``other``."""
    words = Counter(re.findall(r"[a-z]{7,}", text.lower()))
    absent = set(re.findall(r"[a-z]{7,}", other.lower()))
    return [w for w, n in words.most_common() if n >= 2 and w not in absent][:count]


def wait(client: httpx.Client, job_id: str, polls: int = 600) -> dict[str, Any]:
    for _ in range(polls):
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in FINISHED:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} stuck in {job['status']}")


def run_job(client: httpx.Client, text: str) -> dict[str, dict[str, Any]]:
    created = client.post("/v1/jobs", json={"source_text": text})
    assert created.status_code == 202, created.text
    job = wait(client, created.json()["id"])
    assert job["status"] == "succeeded", job
    return {a: client.get(f"/v1/jobs/{job['id']}/artifacts/{a}").json() for a in job["artifacts"]}


@pytest.mark.e2e
def test_an_article_becomes_nine_valid_artifacts_about_it(server: Server) -> None:
    first_name, second_name = articles()[:2]
    first, second = article(first_name), article(second_name)
    with httpx.Client(base_url=server.url, headers=HEADERS, timeout=30) as client:
        schemas = {t["type"]: t["schema"] for t in client.get("/v1/content-types").json()["items"]}
        one = run_job(client, first)
        two = run_job(client, second)

    assert set(one) == set(schemas)
    terms_one, terms_two = distinctive_terms(first, second), distinctive_terms(second, first)
    for artifact, body in one.items():
        jsonschema.validate(body["content"], schemas[artifact])
        jsonschema.validate(two[artifact]["content"], schemas[artifact])
        dumped = json.dumps(body["content"]).lower()
        assert any(term in dumped for term in terms_one), (artifact, terms_one)
        assert body["content"] != two[artifact]["content"]
        assert not any(term in json.dumps(two[artifact]["content"]).lower() for term in set(terms_one) - set(terms_two))


@pytest.mark.e2e
def test_a_job_survives_sigkill_and_no_artifact_is_generated_twice(tmp_path: Path) -> None:
    log = tmp_path / "generations.log"
    env = {
        "CF_SQLITE_PATH": str(tmp_path / "kill.db"),
        "CF_BOOTSTRAP_ADMIN_KEY": KEY,
        "CF_ENVIRONMENT": "test",
        "CF_STEP_CONCURRENCY": "1",
        "E2E_STEP_DELAY": "0.6",
        "E2E_GENERATION_LOG": str(log),
    }
    server = Server(env, tmp_path / "server.log", factory="e2e.instrumented_app:create_instrumented_app")
    server.start()
    try:
        with httpx.Client(base_url=server.url, headers=HEADERS, timeout=30) as client:
            job_id = client.post("/v1/jobs", json={"source_text": article(articles()[0])}).json()["id"]
            for _ in range(400):
                progress = client.get(f"/v1/jobs/{job_id}").json()["progress"]
                if progress["done"] >= 3:
                    break
                time.sleep(0.02)
            assert 3 <= progress["done"] < 9, progress
        server.kill()  # mid-job: one step is sleeping inside the generator
        before = Counter(log.read_text().split())

        server.start()
        with httpx.Client(base_url=server.url, headers=HEADERS, timeout=30) as client:
            job = wait(client, job_id)
        assert job["status"] == "succeeded", job
    finally:
        server.stop()
    generated = Counter(log.read_text().split())
    assert set(generated.values()) == {1}, generated
    assert len(generated) == 9
    assert sum(before.values()) >= 3


@pytest.mark.e2e
def test_an_empty_store_gets_one_generated_key_shown_once(tmp_path: Path) -> None:
    env = {"CF_SQLITE_PATH": str(tmp_path / "fresh.db"), "CF_BOOTSTRAP_ADMIN_KEY": ""}
    server = Server(env, tmp_path / "server.log")
    server.start()
    try:
        printed = re.findall(r"X-API-Key: (cf_\S+)", (tmp_path / "server.log").read_text())
        assert len(printed) == 1
        key = printed[0]
        assert httpx.get(f"{server.url}/v1/jobs", headers={"X-API-Key": key}).status_code == 200
        server.stop()
        server.start()
        assert re.findall(r"X-API-Key: (cf_\S+)", (tmp_path / "server.log").read_text()) == printed
        assert httpx.get(f"{server.url}/v1/jobs", headers={"X-API-Key": key}).status_code == 200
        assert httpx.get(f"{server.url}/v1/jobs", headers={"X-API-Key": "cf_guess"}).status_code == 401
    finally:
        server.stop()
