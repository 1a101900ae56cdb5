"""A scripted API behind ``httpx.MockTransport``, a clock that only moves when slept on, and bodies as the
server writes them (``fixtures/server_bodies.json`` was recorded from a real server on embedded defaults)."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]

FIXTURES = Path(__file__).parent / "fixtures"


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


class FakeAPI:
    """Answers per (method, path), in order; the last answer of a route repeats. Every request is kept."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._routes: dict[tuple[str, str], list[Answer]] = {}

    def on(self, method: str, path: str, *answers: Answer) -> FakeAPI:
        self._routes[(method, path)] = list(answers)
        return self

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def async_transport(self) -> httpx.MockTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            request.extensions["asynchronous"] = True  # so a stream answer is made async
            return self._handle(request)

        return httpx.MockTransport(handle)

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answers = self._routes.get((request.method, request.url.path))
        if not answers:
            return reply(404, error("not_found", f"no route {request.method} {request.url.path}"))
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)
        return answer(request)


def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    sent = {"X-Request-ID": f"rid-{status}", **(headers or {})}
    if body is None:
        return httpx.Response(status, headers=sent)
    if isinstance(body, bytes | str):
        return httpx.Response(status, headers=sent, content=body if isinstance(body, bytes) else body.encode())
    return httpx.Response(status, headers=sent, json=body)


def error(code: str, message: str = "refused", request_id: str = "rid-envelope", details: Any = None) -> Any:
    return {"error": {"code": code, "message": message, "details": details, "request_id": request_id}}


def job(
    job_id: str = "job_1",
    status: str = "running",
    version: int = 1,
    artifacts: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A job body as ``GET /v1/jobs/{id}`` writes it."""
    steps = artifacts or {"outline": "succeeded", "flashcards": "running"}
    done = sum(s in ("succeeded", "failed", "cancelled") for s in steps.values())
    return {
        "id": job_id,
        "title": "Photosynthesis",
        "status": status,
        "version": version,
        "progress": {"done": done, "total": len(steps), "percent": round(100 * done / len(steps))},
        "artifacts": {
            name: {
                "status": s,
                "attempts": 1,
                "cached": False,
                "error": {"code": "generation_failed", "message": "It did not work."} if s == "failed" else None,
                "usage": None,
                "unused_controls": [],
            }
            for name, s in steps.items()
        },
        "usage": {"input_tokens": 0, "output_tokens": 0, "cached_input_tokens": 0, "llm_calls": 0, "cost_usd": 0.0},
        "error": None,
        "request": {
            "topic": None,
            "source_chars": 4000,
            "source_ids": [],
            "artifacts": list(steps),
            "language": "en",
            "audience": None,
            "difficulty": None,
            "focus": None,
            "options": {},
        },
        "created_at": "2026-12-03T10:00:00Z",
        "updated_at": f"2026-12-03T10:00:{version:02d}Z",
        "finished_at": "2026-12-03T10:01:00Z" if status in ("succeeded", "partial", "failed", "cancelled") else None,
    }


@cache
def _recorded() -> dict[str, Any]:
    recorded: dict[str, Any] = json.loads((FIXTURES / "server_bodies.json").read_text())
    return recorded


def recorded_job() -> dict[str, Any]:
    return copy.deepcopy(_recorded()["job"])


def recorded_artifact(name: str) -> dict[str, Any]:
    return copy.deepcopy(_recorded()["artifacts"][name])


def recorded_artifact_names() -> list[str]:
    return list(_recorded()["artifacts"])


def change(version: int, status: str, artifacts: dict[str, str]) -> str:
    done = sum(s in ("succeeded", "failed", "cancelled") for s in artifacts.values())
    data = {
        "version": version,
        "status": status,
        "artifacts": artifacts,
        "progress": {"done": done, "total": len(artifacts), "percent": round(100 * done / len(artifacts))},
        "at": "2026-12-03T10:00:00+00:00",
    }
    return f"event: change\r\nid: {version}\r\ndata: {json.dumps(data)}\r\n\r\n"


def end(version: int) -> str:
    return f"event: end\r\nid: {version}\r\ndata: {json.dumps({'version': version})}\r\n\r\n"


def stream(
    *events: str, then: Exception | None = None, silent: tuple[FakeClock, float] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    """An event stream answer: the events (and heartbeats) as separate chunks, then optionally a failure.
    ``silent=(clock, seconds)``: nothing more comes for that long (the clock moves on) before the failure, as
    when a read timeout ends a stream that went quiet."""

    def chunks() -> Iterator[bytes]:
        yield b": ping\r\n\r\n"
        for event in events:
            yield event.encode()
        if silent is not None:
            clock, seconds = silent
            clock.now += seconds
        if then is not None:
            raise then

    async def achunks() -> AsyncIterator[bytes]:
        for chunk in chunks():
            yield chunk

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "text/event-stream; charset=utf-8", "X-Request-ID": "rid-stream"}
        # The async client reads an async stream; the blocking client an iterator.
        asynchronous = request.extensions.get("asynchronous", False)
        return httpx.Response(200, headers=headers, content=achunks() if asynchronous else chunks())

    return answer
