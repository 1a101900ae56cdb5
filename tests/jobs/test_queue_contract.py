"""The task queue contract, over the inline queue and Cloud Tasks (the emulator, dispatching real HTTP)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from app.adapters.cloud_tasks_queue import WORKER_PATH, CloudTasksQueue
from app.adapters.inline_queue import InlineQueue
from app.content.catalogue import ArtifactType
from app.jobs.queue import Outcome, Step, StepResult, TaskQueue
from tests.fixtures.local_http import serve
from tests.fixtures.services import CloudTasksEmulator

SECRET = "queue-contract-secret"


@dataclass
class Worker:
    """Records deliveries; answers RETRY to a step as many times as ``retries`` says, then DONE."""

    retries: dict[str, int] = field(default_factory=dict)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, step: Step, headers: dict[str, str]) -> StepResult:
        with self.lock:
            self.deliveries.append({"step": step, "headers": headers})
            if self.retries.get(step.task_name, 0) > 0:
                self.retries[step.task_name] -= 1
                return StepResult(Outcome.RETRY, retry_after=0)
        return StepResult(Outcome.DONE)

    def count(self, step: Step) -> int:
        with self.lock:
            return sum(1 for d in self.deliveries if d["step"] == step)

    async def wait_for(self, step: Step, times: int, polls: int = 400) -> None:
        for _ in range(polls):
            if self.count(step) >= times:
                return
            await asyncio.sleep(0.025)
        raise AssertionError(f"{step.task_name} delivered {self.count(step)} times, expected {times}")


@contextmanager
def worker_endpoint(worker: Worker) -> Iterator[str]:
    """A worker endpoint over real HTTP on 127.0.0.1, as Cloud Tasks calls it."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            step = Step(body["job_id"], ArtifactType(body["artifact"]), body["generation"])
            result = worker.answer(step, {k.lower(): v for k, v in self.headers.items()})
            self.send_response(503 if result.outcome is Outcome.RETRY else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    with serve(Handler) as url:
        yield url


@pytest.fixture
def worker() -> Worker:
    return Worker()


@pytest.fixture(params=["inline", pytest.param("cloudtasks", marks=pytest.mark.services)])
async def queue(request: pytest.FixtureRequest, worker: Worker) -> AsyncIterator[TaskQueue]:
    opened: TaskQueue
    if request.param == "cloudtasks":
        emulator: CloudTasksEmulator = request.getfixturevalue("tasks_emulator")
        stack = ExitStack()
        base_url = stack.enter_context(worker_endpoint(worker))
        opened = CloudTasksQueue.open(
            queue=emulator.queue_path,
            worker_base_url=base_url,
            service_account=None,
            worker_secret=SECRET,
            dispatch_deadline_seconds=60,
            emulator_host=emulator.host,
        )
        with stack:
            yield opened
            await opened.close()
    else:

        async def handle(step: Step) -> StepResult:
            return worker.answer(step, {})

        opened = InlineQueue(handle, concurrency=2, retry_base_seconds=0.001, retry_max_seconds=0.01)
        yield opened
        await opened.close()


def step(name: str, artifact: ArtifactType = ArtifactType.OUTLINE) -> Step:
    return Step(f"job_{name}", artifact, 0)


async def test_each_enqueued_step_is_delivered(queue: TaskQueue, worker: Worker) -> None:
    steps = [step("a"), step("a", ArtifactType.FAQ), step("b")]
    await queue.enqueue(steps)
    for s in steps:
        await worker.wait_for(s, 1)


async def test_a_step_that_asks_for_a_retry_is_delivered_again(queue: TaskQueue, worker: Worker) -> None:
    s = step("retry")
    worker.retries[s.task_name] = 2
    await queue.enqueue([s])
    await worker.wait_for(s, 3)
    await asyncio.sleep(0.3)
    assert worker.count(s) == 3  # and not again once it succeeded


async def test_the_same_step_enqueued_at_once_runs_once(queue: TaskQueue, worker: Worker) -> None:
    if isinstance(queue, CloudTasksQueue):
        pytest.skip("the Cloud Tasks emulator accepts duplicate task names; Cloud Tasks itself refuses them")
    s = step("dup")
    await asyncio.gather(queue.enqueue([s]), queue.enqueue([s]))
    await worker.wait_for(s, 1)
    await asyncio.sleep(0.2)
    assert worker.count(s) == 1


@pytest.mark.services
async def test_cloud_tasks_carry_the_step_its_name_and_the_worker_secret(
    tasks_emulator: CloudTasksEmulator, worker: Worker
) -> None:
    stack = ExitStack()
    base_url = stack.enter_context(worker_endpoint(worker))
    queue = CloudTasksQueue.open(
        queue=tasks_emulator.queue_path,
        worker_base_url=base_url + "/",
        service_account=None,
        worker_secret=SECRET,
        dispatch_deadline_seconds=60,
        emulator_host=tasks_emulator.host,
    )
    s = Step("job_headers", ArtifactType.FLASHCARDS, 3)
    with stack:
        await queue.enqueue([s])
        await worker.wait_for(s, 1)
        await queue.close()
    headers = worker.deliveries[0]["headers"]
    assert headers["x-cloudtasks-taskname"] == s.task_name == "job_headers-flashcards-g3"
    assert headers["x-cf-worker-secret"] == SECRET
    assert headers["content-type"] == "application/json"
    assert WORKER_PATH == "/internal/tasks/steps"
