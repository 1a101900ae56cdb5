"""Instances lost mid-step, as Cloud Run loses them: SIGKILLed (an out-of-memory kill) or stopped with SIGTERM (a
scale-in, a deploy). Two app processes share Firestore, Redis and one worker address (a front end that passes
each delivery to a live process), and Cloud Scheduler's sweep is called every half second; the embedded mode
is stopped and started again on its SQLite file."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from app.adapters.firestore_store import FirestoreStore
from app.adapters.sqlite_store import SqliteStore
from app.content.catalogue import ArtifactType, spec_of
from app.jobs.models import Job, StepStatus
from e2e.cloud import HEADERS, SECRET, Cloud, fresh_text, submit, wait
from e2e.conftest import KEY
from e2e.front import FrontEnd
from e2e.server import Server

pytestmark = [pytest.mark.e2e]

SLOW = ArtifactType.STUDY_GUIDE  # the derived step each test loses its instance in


class Scheduler:
    """Cloud Scheduler's sweep job, every ``every`` seconds, through the front end."""

    def __init__(self, url: str, every: float) -> None:
        self.url, self.every = url, every
        self.answers: Counter[int] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="scheduler")

    def __enter__(self) -> Scheduler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                answer = httpx.post(f"{self.url}/internal/sweep", headers={"X-CF-Worker-Secret": SECRET}, timeout=10)
            except httpx.TransportError:
                continue  # no instance answered this time
            self.answers[answer.status_code] += 1


@pytest.fixture
def front() -> Iterator[FrontEnd]:
    running = FrontEnd()
    yield running
    running.stop()


def stored_job(opened: Callable[[], Awaitable[FirestoreStore | SqliteStore]], job_id: str) -> Job:
    """The job as the store holds it (fields the API does not show: the claiming worker, the lease)."""

    async def read() -> Job:
        store = await opened()
        try:
            found = await store.get_job(job_id)
        finally:
            await store.close()
        assert found is not None
        return found

    return asyncio.run(read())


def firestore_job(project: str, job_id: str) -> Job:
    async def opened() -> FirestoreStore:
        return FirestoreStore.open(project)

    return stored_job(opened, job_id)


def sqlite_job(path: Path, job_id: str) -> Job:
    return stored_job(lambda: SqliteStore.open(path), job_id)


def holder_of(cloud: Cloud, job_id: str, servers: list[Server]) -> tuple[Server, Server]:
    """Once the slow step runs: the process that holds it, and the other one."""
    for _ in range(600):
        state = firestore_job(cloud.project, job_id).steps[SLOW]
        if state.status is StepStatus.RUNNING and state.worker:
            pid = int(state.worker.rsplit(":", 1)[1])
            held = [s for s in servers if s.process is not None and s.process.pid == pid]
            assert held, f"{state.worker} is none of the processes"
            return held[0], next(s for s in servers if s is not held[0])
        time.sleep(0.05)
    raise AssertionError(f"{SLOW} never ran: {firestore_job(cloud.project, job_id)}")


def assert_complete_and_valid(server: Server, job: dict[str, object]) -> None:
    assert job["status"] == "succeeded", job
    artifacts = job["artifacts"]
    assert isinstance(artifacts, dict) and len(artifacts) == 9
    for name in artifacts:
        response = httpx.get(f"{server.url}/v1/jobs/{job['id']}/artifacts/{name}", headers=HEADERS, timeout=30)
        assert response.status_code == 200, response.text
        spec_of(ArtifactType(name)).model.model_validate(response.json()["content"])


def finished(job: dict[str, object]) -> float:
    return datetime.fromisoformat(str(job["finished_at"])).timestamp()


def test_an_instance_killed_mid_step_loses_the_step_to_the_other_within_two_leases(
    cloud: Cloud, front: FrontEnd
) -> None:
    lease = 6.0
    env = {"CF_STEP_LEASE_SECONDS": str(lease), "E2E_SLOW": f"{SLOW.value}:1"}
    servers = [cloud.server("steps-a", worker_url=front.url, **env) for _ in range(2)]
    front.start([s.port for s in servers])
    with Scheduler(front.url, every=0.5) as scheduler:
        job_id = submit(servers[0], fresh_text())
        victim, survivor = holder_of(cloud, job_id, servers)
        killed_at = time.time()
        victim.kill()  # no shutdown, no hand-back: the step stays claimed until its lease runs out
        job = wait(survivor, job_id)

    assert_complete_and_valid(survivor, job)
    assert finished(job) - killed_at <= 2 * lease, (finished(job) - killed_at, job)
    assert job["artifacts"][SLOW.value]["attempts"] == 2
    # The killed attempt never finished; every artifact that did was generated once.
    assert cloud.generated() == Counter({name: 1 for name in job["artifacts"]})
    assert scheduler.answers[200] > 0 and set(scheduler.answers) == {200}


def test_an_instance_stopped_mid_step_hands_the_step_to_the_other_at_once(cloud: Cloud, front: FrontEnd) -> None:
    lease, grace = 60.0, 1  # a lease far longer than the test could wait out
    env = {
        "CF_STEP_LEASE_SECONDS": str(lease),
        "CF_SHUTDOWN_GRACE_SECONDS": str(grace),
        "E2E_SLOW": f"{SLOW.value}:3",  # longer than the grace: the step cannot finish in time
    }
    servers = [cloud.server("steps-b", worker_url=front.url, **env) for _ in range(2)]
    front.start([s.port for s in servers])
    job_id = submit(servers[0], fresh_text())
    victim, survivor = holder_of(cloud, job_id, servers)
    stopped_at = time.time()
    took = victim.terminate()
    assert took < 10, took  # inside Cloud Run's ten seconds between SIGTERM and SIGKILL

    job = wait(survivor, job_id)
    assert_complete_and_valid(survivor, job)
    assert finished(job) - stopped_at < lease / 2  # taken over without waiting for the lease
    assert job["artifacts"][SLOW.value]["attempts"] == 2
    assert cloud.generated() == Counter({name: 1 for name in job["artifacts"]})


def test_a_stopped_embedded_process_hands_its_steps_back_and_the_next_start_finishes_them(tmp_path: Path) -> None:
    database = tmp_path / "embedded.db"
    env = {
        "CF_SQLITE_PATH": str(database),
        "CF_BOOTSTRAP_ADMIN_KEY": KEY,
        "CF_ENVIRONMENT": "test",
        "CF_STEP_LEASE_SECONDS": "60",
        "CF_SHUTDOWN_GRACE_SECONDS": "1",
        "E2E_SLOW": f"{SLOW.value}:30",
        "E2E_GENERATION_LOG": str(tmp_path / "generations.log"),
    }
    server = Server(env, tmp_path / "embedded.log", "e2e.instrumented_app:create_instrumented_app")
    server.start()
    try:
        job_id = submit(server, fresh_text())
        for _ in range(600):
            job = httpx.get(f"{server.url}/v1/jobs/{job_id}", headers=HEADERS, timeout=30).json()
            if job["artifacts"][SLOW.value]["status"] == "running":
                break
            time.sleep(0.05)
        took = server.terminate()
        assert took < 10, took

        held = sqlite_job(database, job_id).steps[SLOW]
        assert held.status is StepStatus.QUEUED and held.lease_until is None  # nothing to wait out
        assert held.error is not None and held.error.code == "worker_stopped"

        server.env["E2E_SLOW"] = ""
        restarted_at = time.time()
        server.start()
        done = wait(server, job_id)
    finally:
        server.stop()
    assert done["status"] == "succeeded", done
    assert done["artifacts"][SLOW.value]["attempts"] == 2
    assert finished(done) - restarted_at < 30  # at once, not after the 60 s lease
