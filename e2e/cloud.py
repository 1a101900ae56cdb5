"""The Google Cloud set-up for end-to-end tests: app processes sharing one Firestore project (emulator), the Cloud
Tasks emulator (which calls back into the worker endpoint over HTTP), the Cloud Storage emulator and Redis."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from e2e.conftest import KEY
from e2e.server import Server
from tests.fixtures.naming import unique_project, unique_suffix
from tests.fixtures.services import CloudTasksEmulator, FirestoreEmulator, GcsEmulator, RedisServer

TEXTS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "texts"
HEADERS = {"X-API-Key": KEY}
SECRET = "e2e-worker-secret"
FINISHED = {"succeeded", "partial", "failed", "cancelled"}


class Cloud:
    """Starts service processes that share one Firestore project, the Cloud Tasks emulator and Redis."""

    def __init__(
        self,
        tmp: Path,
        firestore: FirestoreEmulator,
        tasks: CloudTasksEmulator,
        redis: RedisServer,
        storage: GcsEmulator,
    ) -> None:
        self.tmp, self.firestore, self.tasks, self.redis, self.storage = tmp, firestore, tasks, redis, storage
        self.project = unique_project()
        self.generations = tmp / "generations.log"
        self.servers: list[Server] = []

    def server(self, queue: str, *, worker_url: str | None = None, **extra: str) -> Server:
        """A process on its own port; its tasks call back ``worker_url`` (a front end), or the process itself."""
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
                "CF_WORKER_BASE_URL": worker_url or server.url,
                "CF_WORKER_SECRET": SECRET,
                "CF_STORAGE": "gcs",
                "CF_GCS_BUCKET": self.storage.bucket,
                "STORAGE_EMULATOR_HOST": self.storage.url,
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
