"""The Google Cloud adapters end to end: uvicorn processes on Firestore (emulator), Cloud Tasks (emulator, which
calls back into the worker endpoint over HTTP) and Redis."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from e2e.conftest import KEY
from e2e.server import Server
from tests.fixtures.naming import unique_project, unique_suffix
from tests.fixtures.services import CloudTasksEmulator, FirestoreEmulator, RedisServer

pytestmark = [pytest.mark.e2e, pytest.mark.services]

TEXTS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "texts"
HEADERS = {"X-API-Key": KEY}
SECRET = "e2e-worker-secret"
FINISHED = {"succeeded", "partial", "failed", "cancelled"}


class Cloud:
    """Starts service processes that share one Firestore project, the Cloud Tasks emulator and Redis."""

    def __init__(self, tmp: Path, firestore: FirestoreEmulator, tasks: CloudTasksEmulator, redis: RedisServer) -> None:
        self.tmp, self.firestore, self.tasks, self.redis = tmp, firestore, tasks, redis
        self.project = unique_project()
        self.generations = tmp / "generations.log"
        self.servers: list[Server] = []

    def server(self, queue: str, **extra: str) -> Server:
        server = Server(
            {}, self.tmp / f"server-{len(self.servers)}.log", "e2e.instrumented_app:create_instrumented_app"
        )
        server.env.update(
            {
                "CF_ENVIRONMENT": "test",
                "CF_BOOTSTRAP_ADMIN_KEY": KEY,
                "CF_STORE": "firestore",
                "GOOGLE_CLOUD_PROJECT": self.project,
                "FIRESTORE_EMULATOR_HOST": self.firestore.host,
                "CF_QUEUE": "cloudtasks",
                "CF_CLOUD_TASKS_QUEUE": self.tasks.queue_path_for(queue),
                "CF_CLOUD_TASKS_EMULATOR_HOST": self.tasks.host,
                "CF_WORKER_BASE_URL": server.url,
                "CF_WORKER_SECRET": SECRET,
                "CF_CACHE": "redis",
                "CF_REDIS_URL": self.redis.url,
                # Counters live in the session's shared Redis: limits these tests never reach (tests/limits tests them).
                "CF_RATE_LIMIT_PER_IP": "100000/minute",
                "CF_RATE_LIMIT_PER_KEY": "100000/minute",
                "CF_RATE_LIMIT_READS": "100000/minute",
                "E2E_GENERATION_LOG": str(self.generations),
                **extra,
            }
        )
        server.start()
        self.servers.append(server)
        return server

    def generated(self) -> Counter[str]:
        return Counter(self.generations.read_text().split()) if self.generations.exists() else Counter()

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture
def cloud(
    tmp_path: Path,
    firestore_emulator: FirestoreEmulator,
    tasks_emulator: CloudTasksEmulator,
    redis_server: RedisServer,
) -> Iterator[Cloud]:
    running = Cloud(tmp_path, firestore_emulator, tasks_emulator, redis_server)
    yield running
    running.stop()


def fresh_text() -> str:
    """A sample article with a unique closing sentence, so its artifacts are not in Redis yet."""
    return (TEXTS / "photosynthesis.txt").read_text() + f"\n\nThis copy is numbered {unique_suffix()}."


def submit(server: Server, text: str) -> str:
    response = httpx.post(f"{server.url}/v1/jobs", json={"source_text": text}, headers=HEADERS, timeout=30)
    assert response.status_code == 202, response.text
    job_id: str = response.json()["id"]
    return job_id


def wait(server: Server, job_id: str, polls: int = 1200) -> dict[str, Any]:
    for _ in range(polls):
        job: dict[str, Any] = httpx.get(f"{server.url}/v1/jobs/{job_id}", headers=HEADERS, timeout=30).json()
        if job["status"] in FINISHED:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} stuck: {job}")


def test_a_job_runs_through_cloud_tasks_and_a_repeat_comes_from_the_cache(cloud: Cloud) -> None:
    server = cloud.server("steps")
    text = fresh_text()
    first = wait(server, submit(server, text))
    assert first["status"] == "succeeded", first
    assert len(first["artifacts"]) == 8
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
