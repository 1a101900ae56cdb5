"""The delivery queue on both adapters: the inline one runs each scheduled delivery once, after its delay, and
closes cleanly; Cloud Tasks (the emulator, dispatching real HTTP) POSTs the delivery id to the worker path."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from app.adapters.cloud_tasks_queue import DELIVERY_PATH, CloudTasksDeliveryQueue, CloudTasksQueue
from app.adapters.inline_deliveries import InlineDeliveryQueue
from tests.fixtures.local_http import serve
from tests.fixtures.services import CloudTasksEmulator

SECRET = "delivery-queue-secret"


async def test_the_inline_queue_runs_a_delivery_once_after_its_delay_and_closes() -> None:
    ran: list[str] = []

    async def attempt(delivery_id: str) -> None:
        ran.append(delivery_id)

    queue = InlineDeliveryQueue(attempt)
    await queue.schedule("dlv_a", attempt=1, delay_seconds=0.01)
    await queue.schedule("dlv_a", attempt=1, delay_seconds=0)  # already waiting: not twice
    await queue.schedule("dlv_late", attempt=2, delay_seconds=3600)
    for _ in range(200):
        if ran:
            break
        await asyncio.sleep(0.01)
    await queue.close()  # the hour-long wait is cancelled, not awaited
    await queue.schedule("dlv_b", attempt=1, delay_seconds=0)  # closed: nothing runs
    await asyncio.sleep(0.02)
    assert ran == ["dlv_a"]


@contextmanager
def worker_endpoint(seen: list[dict[str, Any]]) -> Iterator[str]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                seen.append(
                    {"path": self.path, "body": body, "headers": {k.lower(): v for k, v in self.headers.items()}}
                )
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    with serve(Handler) as url:
        yield url


@pytest.mark.services
async def test_cloud_tasks_deliver_the_delivery_id_with_the_worker_secret(tasks_emulator: CloudTasksEmulator) -> None:
    seen: list[dict[str, Any]] = []
    with worker_endpoint(seen) as base_url:
        steps = CloudTasksQueue.open(
            queue=tasks_emulator.queue_path,
            worker_base_url=base_url,
            service_account=None,
            worker_secret=SECRET,
            dispatch_deadline_seconds=60,
            emulator_host=tasks_emulator.host,
        )
        queue = CloudTasksDeliveryQueue(steps.tasks)
        await queue.schedule("dlv_abc", attempt=2, delay_seconds=0)
        await queue.schedule("dlv_abc", attempt=2, delay_seconds=0, recovery="1796461200")  # the sweeper's
        for _ in range(400):
            if len(seen) >= 2:
                break
            await asyncio.sleep(0.025)
        await queue.close()
        await steps.close()
    assert seen, "the task was not dispatched"
    assert seen[0]["path"] == DELIVERY_PATH == "/internal/tasks/deliveries"
    assert seen[0]["body"] == {"delivery_id": "dlv_abc"}
    assert seen[0]["headers"]["x-cf-worker-secret"] == SECRET
    names = sorted(request["headers"]["x-cloudtasks-taskname"] for request in seen)
    assert names == ["dlv_abc-a2", "dlv_abc-a2-r1796461200"]
