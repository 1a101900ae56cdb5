"""Each local service starts on 127.0.0.1, does its job, and is gone after the ``with`` block."""

from __future__ import annotations

import http.server
import importlib
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Any

import httpx
import pytest

from tests.fixtures.services import (
    CloudTasksEmulator,
    FirestoreEmulator,
    HttpTask,
    RedisServer,
    ServiceError,
    firestore_npm_prefix,
    free_port,
    port_open,
)

pytestmark = pytest.mark.services


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


# --------------------------------------------------------------------------------------------------------------
# Redis


def test_redis_ping_set_get() -> None:
    with RedisServer() as redis:
        assert redis.url == f"redis://127.0.0.1:{redis.port}/0"
        try:
            redis_lib: Any = importlib.import_module("redis")
        except ImportError:
            redis_lib = None
        if redis_lib is not None:
            client = redis_lib.Redis.from_url(redis.url)
            try:
                assert client.ping()
                client.set("cf:key", "value")
                assert client.get("cf:key") == b"value"
            finally:
                client.close()
        else:
            assert redis.command("PING") == "PONG"
            assert redis.command("SET", "cf:key", "value") == "OK"
            assert redis.command("GET", "cf:key") == b"value"
        assert redis.command("CONFIG", "GET", "bind") == [b"bind", b"127.0.0.1"]
        assert redis.command("CONFIG", "GET", "save") == [b"save", b""]
        assert redis.command("CONFIG", "GET", "appendonly") == [b"appendonly", b"no"]
        port = redis.port
    assert not port_open(port)


def test_a_service_that_cannot_start_reports_its_log() -> None:
    with pytest.raises(ServiceError, match="exited with code") as info:
        RedisServer(port=free_port(), extra_args=["--no-such-directive", "1"]).start()
    assert "no-such-directive" in str(info.value)
    assert info.value.log_path is not None
    info.value.log_path.unlink()


# --------------------------------------------------------------------------------------------------------------
# Firestore emulator


def test_firestore_emulator_rest_write_read_reset() -> None:
    with FirestoreEmulator(project="demo-cf-services") as fs:
        assert fs.host == f"127.0.0.1:{fs.port}"
        assert fs.env()["FIRESTORE_EMULATOR_HOST"] == fs.host
        if not fs.supports_rest:  # npm stand-in: gRPC only; its launcher still serves the reset endpoint
            assert port_open(fs.port)
            fs.reset()
            return
        fields = {"topic": {"stringValue": "photosynthesis"}, "attempts": {"integerValue": "2"}}
        with httpx.Client(timeout=10.0) as client:
            # createDocument is POST .../documents/COLL?documentId=ID (POST .../documents/COLL/ID answers 400).
            created = client.post(fs.documents_url("jobs"), params={"documentId": "job-1"}, json={"fields": fields})
            assert created.status_code == 200, created.text
            got = client.get(fs.documents_url("jobs/job-1"))
            assert got.status_code == 200, got.text
            assert got.json()["fields"] == fields
            assert got.json()["name"] == "projects/demo-cf-services/databases/(default)/documents/jobs/job-1"
            upserted = client.patch(fs.documents_url("jobs/job-2"), json={"fields": fields})  # PATCH: create or replace
            assert upserted.status_code == 200, upserted.text

            fs.reset()

            assert client.get(fs.documents_url("jobs/job-1")).status_code == 404
            assert client.get(fs.documents_url("jobs/job-2")).status_code == 404
        port = fs.port
    assert not port_open(port)


@pytest.mark.skipif(
    firestore_npm_prefix() is None or shutil.which("node") is None,
    reason="npm Firestore stand-in not installed (install.sh adds it only where the gcloud jar is missing)",
)
def test_firestore_npm_standin_starts_on_loopback_and_resets() -> None:
    with FirestoreEmulator(project="demo-cf-services", impl="npm") as fs:
        assert fs.which_impl == "npm"
        assert not fs.supports_rest
        assert port_open(fs.port)
        fs.reset()
        port = fs.port
    assert not port_open(port)


# --------------------------------------------------------------------------------------------------------------
# Cloud Tasks emulator


@dataclass(frozen=True)
class Received:
    at: float
    path: str
    headers: Message
    body: bytes


class RecordingServer(http.server.ThreadingHTTPServer):
    """Answers 500 to paths under /fail, 200 otherwise, and records every POST."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.received: list[Received] = []
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def paths(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    server: RecordingServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.received.append(Received(time.time(), self.path, self.headers, body))
        self.send_response(500 if self.path.startswith("/fail") else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[RecordingServer]:
    server = RecordingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_cloud_tasks_emulator_dispatches_http_tasks(recorder: RecordingServer) -> None:
    with CloudTasksEmulator(project="demo-cf-services", queue="jobs", max_retries=1) as tasks:
        assert tasks.queue_path == "projects/demo-cf-services/locations/us-central1/queues/jobs"
        assert tasks.env() == {"CF_CLOUD_TASKS_EMULATOR_HOST": f"127.0.0.1:{tasks.port}"}
        before = time.time()
        names = tasks.create_http_tasks(
            [
                HttpTask(
                    f"{recorder.base_url}/ok",
                    body=b'{"job_id": "j1"}',
                    headers={"Content-Type": "application/json", "X-Custom": "yes"},
                    name="ok-1",
                ),
                HttpTask(f"{recorder.base_url}/fail", name="fail-1"),
                HttpTask(f"{recorder.base_url}/later", name="later-1", schedule_in=1.5),
            ]
        )
        assert names == [f"{tasks.queue_path}/tasks/{n}" for n in ("ok-1", "fail-1", "later-1")]

        wait_for(lambda: len(recorder.paths("/later")) == 1, 15.0, "the scheduled task")
        wait_for(lambda: len(recorder.paths("/fail")) == 2, 5.0, "the failing task's retry")

        (ok,) = recorder.paths("/ok")
        assert ok.body == b'{"job_id": "j1"}'
        assert ok.headers["Content-Type"] == "application/json"
        assert ok.headers["X-Custom"] == "yes"
        # The emulator sends the FULL queue path (Cloud Tasks sends the short queue id), and the short task id.
        assert ok.headers["X-CloudTasks-QueueName"] == tasks.queue_path
        assert ok.headers["X-CloudTasks-TaskName"] == "ok-1"
        assert ok.headers["X-CloudTasks-TaskRetryCount"] == "0"
        assert ok.headers["X-CloudTasks-TaskExecutionCount"] == "0"
        assert "Authorization" not in ok.headers  # no OIDC token, whatever the task asks for

        # -r 1: one retry (about 0.1 s later, no backoff), then the task is dropped.
        assert [r.headers["X-CloudTasks-TaskRetryCount"] for r in recorder.paths("/fail")] == ["0", "1"]

        (later,) = recorder.paths("/later")
        assert later.at >= before + 1.4, "schedule_time was not honoured"
        assert float(later.headers["X-CloudTasks-TaskETA"]) >= before + 1.4

        time.sleep(0.5)
        assert len(recorder.paths("/fail")) == 2
        assert tasks.list_tasks() == []
        port = tasks.port
    assert not port_open(port)


def test_cloud_tasks_retries_must_be_bounded() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        CloudTasksEmulator(max_retries=-1)
