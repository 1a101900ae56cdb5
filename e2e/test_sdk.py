"""The Python SDK and its command line against a real uvicorn process: typed artifacts, files written with progress
shown, lists paged; faults injected between the SDK and the server (a create whose answer is lost, a 429, a run
of 503s); and ``pip install ./sdk`` in an empty virtualenv running the README's quick start as written."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import httpx
import pytest
from content_factory_client import Client, JobChange, RetriesExhausted, RetryPolicy
from content_factory_client.models import FaqArtifact, FlashcardsArtifact, OutlineArtifact

from e2e.conftest import KEY
from e2e.server import ROOT, Server
from tests.fixtures.app import text

pytestmark = pytest.mark.e2e

CLI = Path(sys.executable).with_name("content-factory")
SOURCE = text("photosynthesis.txt")


class FakeClock:
    """Time that passes only when the SDK sleeps: it records each sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


class Faults(httpx.BaseTransport):
    """The real network to the server, with faults on chosen requests: ``lose`` answers are read and then lost
    (a read timeout, as after a dropped connection), ``refuse`` requests get this answer without reaching it."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.lose: int = 0
        self.refuse: list[httpx.Response] = []
        self.seen: list[httpx.Request] = []
        self.lost: list[httpx.Response] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if self.refuse:
            return self.refuse.pop(0)
        response = self.inner.handle_request(request)
        if self.lose:
            self.lose -= 1
            response.read()
            self.lost.append(response)
            raise httpx.ReadTimeout("the answer was lost on the way", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def server_jobs(server: Server) -> list[dict[str, object]]:
    listed = httpx.get(f"{server.url}/v1/jobs", params={"limit": 100}, headers={"X-API-Key": KEY}, timeout=10)
    items: list[dict[str, object]] = listed.json()["items"]
    return items


def test_generate_returns_typed_artifacts_and_reports_progress(server: Server) -> None:
    changes: list[JobChange] = []
    with Client(server.url, KEY) as client:
        result = client.generate(SOURCE, artifacts=["outline", "flashcards", "faq"], on_progress=changes.append)
    assert result.job.status == "succeeded" and not result.failed
    assert isinstance(result.artifacts["outline"], OutlineArtifact)
    cards = result.artifacts["flashcards"]
    assert isinstance(cards, FlashcardsArtifact) and len(cards.content.cards) >= 5
    assert all(card.front and card.back and card.evidence for card in cards.content.cards)
    assert isinstance(result.artifacts["faq"], FaqArtifact)
    assert changes and changes[-1].progress.done == changes[-1].progress.total == 3


def test_the_cli_writes_a_file_per_artifact_and_shows_progress(server: Server, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Photosynthesis\n\n" + SOURCE)
    env = {**os.environ, "CF_API_URL": server.url, "CF_API_KEY": KEY}
    ran = subprocess.run(
        [CLI, "generate", str(notes), "--artifacts", "flashcards,faq", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    written = sorted(Path(line) for line in ran.stdout.split())
    names = ["photosynthesis-faq.json", "photosynthesis-flashcards.json", "photosynthesis-outline.json"]
    assert [p.name for p in written] == names  # the outline comes with every job
    assert all(p.parent == tmp_path / "out" and p.stat().st_size > 100 for p in written)
    assert re.search(r"flashcards succeeded \(\d/3\)", ran.stderr), ran.stderr  # progress, one line per change
    as_markdown = subprocess.run(
        [CLI, "generate", str(notes), "--artifacts", "quiz", "--format", "md", "--out", str(tmp_path / "md")],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert as_markdown.returncode == 0, as_markdown.stderr
    assert "outline" in as_markdown.stdout and (tmp_path / "md" / "photosynthesis-quiz.md").read_text().startswith("#")


def test_jobs_list_pages_through_every_page(server: Server) -> None:
    with Client(server.url, KEY) as client:
        made = [client.jobs.create(source_text=f"{SOURCE}\n\nPart {n}.", artifacts=["outline"]).id for n in range(5)]
    env = {**os.environ, "CF_API_URL": server.url, "CF_API_KEY": KEY}
    listed = subprocess.run(
        [CLI, "jobs", "list", "--page-size", "2"], capture_output=True, text=True, timeout=60, env=env
    )
    assert listed.returncode == 0, listed.stderr
    ids = [line.split()[0] for line in listed.stdout.splitlines()]
    assert ids == list(reversed(made))  # newest first, across three pages of two
    shown = subprocess.run([CLI, "jobs", "show", made[0], "--json"], capture_output=True, text=True, env=env)
    assert shown.returncode == 0 and f'"id": "{made[0]}"' in shown.stdout
    missing = subprocess.run([CLI, "jobs", "show", "no-such-job"], capture_output=True, text=True, env=env)
    assert missing.returncode == 3 and "job_not_found" in missing.stderr and "Traceback" not in missing.stderr


def test_a_create_whose_answer_is_lost_is_retried_into_the_same_job(server: Server) -> None:
    faults = Faults()
    faults.lose = 1  # the server makes the job; its answer never arrives
    with Client(server.url, KEY, transport=faults, clock=FakeClock()) as client:
        job = client.jobs.create(source_text=SOURCE, artifacts=["outline", "flashcards"])
    creates = [r for r in faults.seen if r.method == "POST" and r.url.path == "/v1/jobs"]
    assert len(creates) == 2
    assert creates[0].headers["idempotency-key"] == creates[1].headers["idempotency-key"]
    assert faults.lost[0].status_code == 202 and faults.lost[0].json()["id"] == job.id
    assert [j["id"] for j in server_jobs(server)] == [job.id]  # one job on the server


def test_a_429_is_waited_out_for_at_least_its_retry_after(server: Server) -> None:
    faults = Faults()
    faults.refuse = [httpx.Response(429, headers={"Retry-After": "2", "X-Request-ID": "limited"}, json={})]
    clock = FakeClock()
    with Client(server.url, KEY, transport=faults, clock=clock) as client:
        assert client.content_types().items
    assert len(clock.sleeps) == 1 and clock.sleeps[0] >= 2


def test_a_run_of_503s_ends_in_the_sdks_own_error_with_the_last_request_id(server: Server) -> None:
    faults = Faults()
    ids = itertools.count(1)
    faults.refuse = [
        httpx.Response(503, headers={"X-Request-ID": f"req-{next(ids)}"}, json={"error": {"code": "unavailable"}})
        for _ in range(10)
    ]
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=4.0, total_timeout=60.0)
    with (
        Client(server.url, KEY, transport=faults, clock=clock, retry=policy) as client,
        pytest.raises(RetriesExhausted) as raised,
    ):
        client.jobs.get("any-job")
    assert raised.value.attempts == 4 and raised.value.status == 503
    assert raised.value.request_id == "req-4"
    assert len(clock.sleeps) == 3 and sum(clock.sleeps) <= 60.0


def test_pip_install_in_an_empty_virtualenv_and_the_readme_quick_start_work_as_written(
    server: Server, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    installed = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(ROOT / "sdk")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    readme = (ROOT / "sdk" / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert len(blocks) == 1, "the quick start is the README's one python block"
    (tmp_path / "quickstart.py").write_text(blocks[0])
    env = {"PATH": "/usr/bin:/bin", "CF_API_URL": server.url, "CF_API_KEY": KEY, "HOME": str(tmp_path)}
    ran = subprocess.run([python, "quickstart.py"], cwd=tmp_path, capture_output=True, text=True, timeout=180, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "succeeded" in ran.stdout
    cli = subprocess.run(
        [env_dir / "bin" / "content-factory", "content-types"], capture_output=True, text=True, env=env, timeout=60
    )
    assert cli.returncode == 0 and "flashcards" in cli.stdout, cli.stderr
