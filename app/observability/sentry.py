"""Sentry: error reporting, on only when ``SENTRY_DSN`` is set (``init_sentry`` runs in the lifespan).

Events carry the environment and release, and tags for the route (HTTP), and the job id, artifact and provider
(pipeline steps, which also leave a breadcrumb at each stage). ``before_send`` drops expected errors (4xx:
``AppError`` below 500, HTTP exceptions, request validation) and removes what must never leave the service:
API keys, ``Authorization``, cookies, the worker secret, request bodies (which hold source text) and stack-frame
variables (which may hold it too).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sentry_sdk
from fastapi.exceptions import RequestValidationError
from sentry_sdk.integrations.fastapi import FastApiIntegration
from sentry_sdk.integrations.starlette import StarletteIntegration
from sentry_sdk.types import Event, Hint
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import AppError

FILTERED = "[Filtered]"
# Keys (lower case, "-" as "_") whose values are replaced wherever they appear in an event.
SENSITIVE_KEYS = frozenset(
    {
        "x_api_key",
        "api_key",
        "authorization",
        "proxy_authorization",
        "cookie",
        "cookies",
        "set_cookie",
        "x_cf_worker_secret",
        "worker_secret",
        "metrics_token",
        "token",
        "password",
        "secret",
        "source_text",
    }
)


def init_sentry(*, dsn: str, environment: str, release: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        max_request_body_size="never",  # bodies hold source text (PII is off by default: no cookies, no IPs)
        include_local_variables=False,  # so do the variables of the frames that handle it
        before_send=before_send,
        integrations=[StarletteIntegration(transaction_style="url"), FastApiIntegration(transaction_style="url")],
    )


def close_sentry() -> None:
    """Send what is queued, then stop reporting (the next ``init_sentry`` starts afresh)."""
    client = sentry_sdk.get_client()
    if client.is_active():
        client.close(timeout=2.0)  # bounded: shutdown has Cloud Run's 10 s in all
    sentry_sdk.get_global_scope().set_client(None)


def set_provider(provider: str) -> None:
    sentry_sdk.get_global_scope().set_tag("provider", provider)


def before_send(event: Event, hint: Hint) -> Event | None:
    exc_info = hint.get("exc_info")
    if exc_info and is_expected(exc_info[1]):
        return None
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
    for section in ("exception", "threads"):
        holder: Any = event.get(section) or {}
        for value in holder.get("values") or []:
            for frame in (value.get("stacktrace") or {}).get("frames") or []:
                frame.pop("vars", None)
    scrubbed: Event = _scrub(event)
    transaction = scrubbed.get("transaction")
    info = scrubbed.get("transaction_info")
    if transaction and isinstance(info, dict) and info.get("source") in ("route", "url"):
        tags = scrubbed.setdefault("tags", {})
        if isinstance(tags, dict):
            tags.setdefault("route", transaction)
    return scrubbed


def is_expected(exc: BaseException | None) -> bool:
    """A client's mistake or a refusal the API answers on purpose: not a fault to report."""
    if isinstance(exc, AppError):
        return exc.status < 500
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code < 500
    return isinstance(exc, RequestValidationError)


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: FILTERED if isinstance(k, str) and k.lower().replace("-", "_") in SENSITIVE_KEYS else _scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def capture_request_error(exc: BaseException, *, route: str, job_id: str | None) -> None:
    """Report an unhandled error of a request, tagged with its route template (and job, if it names one)."""
    if not sentry_sdk.get_client().is_active():
        return
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("route", route)
        if job_id:
            scope.set_tag("job_id", job_id)
        sentry_sdk.capture_exception(exc)


@contextmanager
def step_scope(*, job_id: str, artifact: str, provider: str) -> Iterator[None]:
    """Tag what a pipeline step reports (events and breadcrumbs) with its job, artifact and provider."""
    with sentry_sdk.isolation_scope() as scope:
        # A step runs in a task started by a request or by another step: start from its own breadcrumbs.
        scope.clear_breadcrumbs()
        scope.set_tags({"job_id": job_id, "artifact": artifact, "provider": provider})
        yield


def breadcrumb(message: str, **data: object) -> None:
    sentry_sdk.add_breadcrumb(category="pipeline", message=message, level="info", data=data)
