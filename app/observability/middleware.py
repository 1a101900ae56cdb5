"""Per-request telemetry: the HTTP metrics, the access log line, the log context, and unhandled errors to Sentry.

Plain ASGI middleware, inside ``EdgeSecurityMiddleware`` (whose request id it logs) and outside everything else, so it
sees the body-limit refusals and the exceptions no handler caught. Metrics are labelled with the route
template the router matched (``/v1/jobs/{job_id}``), never the raw path.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.asgi import header
from app.observability.logging import RequestContext, bind_request, parse_trace, unbind_request
from app.observability.metrics import UNMATCHED_ROUTE, Metrics
from app.observability.sentry import capture_request_error

access_log = logging.getLogger("app.access")


class RequestTelemetryMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.get("state") or {}
        request_id = state.get("request_id")
        trace = parse_trace(header(scope, b"traceparent"), header(scope, b"x-cloud-trace-context"))
        token = bind_request(RequestContext(request_id if isinstance(request_id, str) else None, trace))
        status: int | None = None

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        except Exception as exc:
            status = status or 500
            capture_request_error(exc, route=route_template(scope), job_id=_job_id(scope))
            raise
        finally:
            try:
                seconds = time.perf_counter() - started
                route = route_template(scope)
                final = status or 500  # a response never started is a failure the client sees as one
                self.metrics.http_request(route=route, method=scope["method"], status=final, seconds=seconds)
                self._log_access(scope, route, final, seconds)
            finally:
                unbind_request(token)

    def _log_access(self, scope: Scope, route: str, status: int, seconds: float) -> None:
        # The path, never the query string or headers: neither may carry anything a log should not keep.
        path = scope.get("root_path", "") + scope["path"]
        http_request = {
            "requestMethod": scope["method"],
            "requestUrl": path,
            "status": status,
            "latency": f"{seconds:.6f}s",
            "protocol": f"HTTP/{scope.get('http_version', '1.1')}",
            "userAgent": header(scope, b"user-agent") or "",
        }
        access_log.log(
            logging.WARNING if status >= 500 else logging.INFO,
            "%s %s %d %.1fms",
            scope["method"],
            path,
            status,
            seconds * 1000,
            extra={"http_request": http_request, "route": route, "latency_seconds": round(seconds, 6)},
        )


def route_template(scope: Scope) -> str:
    """The path template of the route that matched (``/v1/jobs/{job_id}``), or ``unmatched``."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


def _job_id(scope: Scope) -> str | None:
    value = (scope.get("path_params") or {}).get("job_id")
    return value if isinstance(value, str) else None
