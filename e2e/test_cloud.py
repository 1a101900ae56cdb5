"""The Google Cloud adapters end to end: uvicorn processes on Firestore (emulator), Cloud Tasks (emulator, which
calls back into the worker endpoint over HTTP) and Redis."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from e2e.cloud import HEADERS, SECRET, Cloud, fresh_text, submit, wait

pytestmark = [pytest.mark.e2e, pytest.mark.services]


def test_a_job_runs_through_cloud_tasks_and_a_repeat_comes_from_the_cache(cloud: Cloud) -> None:
    server = cloud.server("steps")
    text = fresh_text()
    first = wait(server, submit(server, text))
    assert first["status"] == "succeeded", first
    assert len(first["artifacts"]) == 9
    assert not any(a["cached"] for a in first["artifacts"].values())
    assert cloud.generated() == Counter({a: 1 for a in first["artifacts"]})

    second = wait(server, submit(server, text))
    assert second["status"] == "succeeded", second
    assert all(a["cached"] for a in second["artifacts"].values())
    assert cloud.generated() == Counter({a: 1 for a in first["artifacts"]})  # no generator call
    faq = httpx.get(f"{server.url}/v1/jobs/{second['id']}/artifacts/faq", headers=HEADERS).json()
    assert faq["cached"] is True


def test_ten_identical_jobs_on_two_processes_generate_each_artifact_once(cloud: Cloud) -> None:
    servers = [cloud.server("steps-a", E2E_STEP_DELAY="0.2"), cloud.server("steps-b", E2E_STEP_DELAY="0.2")]
    text = fresh_text()
    with ThreadPoolExecutor(10) as pool:
        job_ids = list(pool.map(lambda i: (servers[i % 2], submit(servers[i % 2], text)), range(10)))
        jobs = list(pool.map(lambda pair: wait(*pair), job_ids))
    assert [j["status"] for j in jobs] == ["succeeded"] * 10
    assert cloud.generated() == Counter({a: 1 for a in jobs[0]["artifacts"]})


def test_transient_failures_are_retried_by_the_queue_and_recorded_once(cloud: Cloud) -> None:
    server = cloud.server("steps", E2E_TRANSIENT="faq:2")
    job = wait(server, submit(server, fresh_text()))
    assert job["status"] == "succeeded", job
    assert job["artifacts"]["faq"]["attempts"] == 3
    assert cloud.generated()["faq"] == 1


def test_a_task_delivered_twice_does_its_work_once(cloud: Cloud) -> None:
    server = cloud.server("steps")
    job = wait(server, submit(server, fresh_text()))
    before = cloud.generated()
    step = {"job_id": job["id"], "artifact": "flashcards", "generation": 0}
    direct = httpx.post(f"{server.url}/internal/tasks/steps", json=step, headers={"X-CF-Worker-Secret": SECRET})
    assert direct.status_code == 200
    assert direct.json()["outcome"] == "skipped"
    # The emulator accepts a second task of the same name, so it really is delivered again.
    cloud.tasks.create_http_task(
        f"{server.url}/internal/tasks/steps",
        body=httpx.Request("POST", "/", json=step).content,
        headers={"Content-Type": "application/json", "X-CF-Worker-Secret": SECRET},
        queue="steps",
    )
    time.sleep(1.0)
    assert cloud.generated() == before
    assert wait(server, job["id"])["artifacts"]["flashcards"]["attempts"] == 1


def test_a_worker_killed_mid_step_leaves_a_step_the_next_delivery_completes(cloud: Cloud) -> None:
    server = cloud.server("steps", E2E_DIE_ON="study_guide", CF_STEP_LEASE_SECONDS="2")
    job_id = submit(server, fresh_text())
    assert server.process is not None
    server.process.wait(timeout=60)  # it dies inside the study guide step
    server.process = None
    server.start()  # same port, same worker URL: the emulator's retries reach it again
    job = wait(server, job_id)
    assert job["status"] == "succeeded", job
    assert job["artifacts"]["study_guide"]["attempts"] == 2
    assert cloud.generated()["study_guide"] == 1


def test_a_pdf_source_on_cloud_storage_becomes_a_grounded_job_and_its_files_go_with_it(cloud: Cloud) -> None:
    from tests.fixtures import documents

    server = cloud.server("steps")
    paragraphs = [p for p in fresh_text().split("\n\n") if p.strip()]
    pages = [" ".join(paragraphs[i : i + 3]) for i in range(0, len(paragraphs), 3)]
    data = documents.pdf(pages, title="Photosynthesis")
    made = httpx.post(
        f"{server.url}/v1/sources", files={"file": ("p.pdf", data, "application/pdf")}, headers=HEADERS, timeout=30
    )
    assert made.status_code == 201, made.text
    source = made.json()
    assert source["pages"] == len(pages)

    def stored() -> list[str]:
        listing = httpx.get(
            f"{cloud.storage.url}/storage/v1/b/{cloud.storage.bucket}/o", params={"prefix": f"sources/{source['id']}/"}
        ).json()
        return sorted(item["name"] for item in listing.get("items", []))

    assert stored() == [f"sources/{source['id']}/original", f"sources/{source['id']}/text.txt"]
    created = httpx.post(f"{server.url}/v1/jobs", json={"source_ids": [source["id"]]}, headers=HEADERS, timeout=30)
    assert created.status_code == 202, created.text
    job = wait(server, created.json()["id"])
    assert job["status"] == "succeeded", job
    whole = httpx.get(f"{server.url}/v1/sources/{source['id']}/text", headers=HEADERS).text
    cards = httpx.get(f"{server.url}/v1/jobs/{job['id']}/artifacts/flashcards", headers=HEADERS).json()
    assert cards["grounded"] is True and cards["grounding"]["supported"] > 0
    for card in cards["content"]["cards"]:
        for evidence in card["evidence"]:
            assert evidence["source_id"] == source["id"] and 1 <= evidence["page"] <= len(pages)
            assert whole[evidence["start"] : evidence["end"]] == evidence["quote"]
    assert httpx.delete(f"{server.url}/v1/sources/{source['id']}", headers=HEADERS).status_code == 204
    assert stored() == []


def test_the_event_stream_on_one_process_tells_the_work_done_on_another(cloud: Cloud) -> None:
    worker = cloud.server("steps", E2E_STEP_DELAY="0.2", CF_EVENTS_POLL_SECONDS="0.1")
    front = cloud.server("steps", worker_url=worker.url, CF_EVENTS_POLL_SECONDS="0.1")
    job_id = submit(front, fresh_text())
    ids: list[int] = []
    kinds: list[str] = []
    with httpx.stream("GET", f"{front.url}/v1/jobs/{job_id}/events", headers=HEADERS, timeout=120) as stream:
        assert stream.status_code == 200
        for line in stream.iter_lines():
            if line.startswith("id:"):
                ids.append(int(line.removeprefix("id:").strip()))
            elif line.startswith("event:"):
                kinds.append(line.removeprefix("event:").strip())
    job = httpx.get(f"{front.url}/v1/jobs/{job_id}", headers=HEADERS).json()
    assert job["status"] == "succeeded"
    assert kinds[-1] == "end" and kinds.count("change") == job["version"]
    assert ids[:-1] == list(range(1, job["version"] + 1))  # every version, in order, then the end
    generated = cloud.generated()
    assert sum(generated.values()) == len(job["artifacts"])
