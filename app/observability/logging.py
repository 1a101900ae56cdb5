"""Structured logs: one JSON object per line on stdout, in the shape Cloud Logging reads.

Each line has ``severity``, ``message``, ``time``, ``logger`` and ``logging.googleapis.com/sourceLocation``; a
line written while a request is served also has its ``request_id`` and, when the request carried
``traceparent`` (W3C) or ``X-Cloud-Trace-Context``, ``logging.googleapis.com/trace`` (``projects/P/traces/T``
with ``GOOGLE_CLOUD_PROJECT``), ``.../spanId`` and ``.../trace_sampled``, so Cloud Logging groups a request's
lines under its trace. A failure's traceback goes to ``stack_trace`` (Error Reporting reads it). See
https://cloud.google.com/logging/docs/structured-logging.

``configure_logging`` (called by ``create_app``) puts the one handler on the root logger and routes uvicorn's
own loggers through it; uvicorn's access log is replaced by the request middleware's.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

TRACE = "logging.googleapis.com/trace"
SPAN_ID = "logging.googleapis.com/spanId"
TRACE_SAMPLED = "logging.googleapis.com/trace_sampled"
SOURCE_LOCATION = "logging.googleapis.com/sourceLocation"

_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_CLOUD_TRACE = re.compile(r"^([0-9a-fA-F]{32})(?:/(\d{1,20}))?(?:;o=([01]))?$")
_ZERO_TRACE = "0" * 32
# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is written out.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


@dataclass(frozen=True, slots=True)
class Trace:
    trace_id: str
    span_id: str | None
    sampled: bool


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str | None
    trace: Trace | None


_request: ContextVar[RequestContext | None] = ContextVar("cf_request", default=None)


def bind_request(context: RequestContext) -> Token[RequestContext | None]:
    """Tag every line written from here on (in this task and the tasks it starts) with the request."""
    return _request.set(context)


def unbind_request(token: Token[RequestContext | None]) -> None:
    _request.reset(token)


def parse_trace(traceparent: str | None, cloud_trace: str | None) -> Trace | None:
    """The trace a request belongs to: W3C ``traceparent`` first, then Google's ``X-Cloud-Trace-Context``."""
    if traceparent:
        match = _TRACEPARENT.match(traceparent.strip().lower())
        if match and match[1] != _ZERO_TRACE and match[2] != "0" * 16:
            return Trace(match[1], match[2], bool(int(match[3], 16) & 1))
    if cloud_trace:
        match = _CLOUD_TRACE.match(cloud_trace.strip())
        if match and match[1].lower() != _ZERO_TRACE:
            # The span id is decimal in this header; Cloud Logging wants 16 hex digits.
            span = f"{int(match[2]) & (2**64 - 1):016x}" if match[2] else None
            return Trace(match[1].lower(), span, match[3] == "1")
    return None


class CloudLoggingFormatter(logging.Formatter):
    """A record as one line of Cloud Logging structured JSON."""

    def __init__(self, project: str | None) -> None:
        super().__init__()
        self.project = project

    def format(self, record: logging.LogRecord) -> str:
        fields = record.__dict__
        extra = {key: fields[key] for key in fields.keys() - _RECORD_FIELDS if not key.startswith("_")}
        if record.exc_info:
            extra["stack_trace"] = "".join(traceback.format_exception(*record.exc_info))
        elif record.stack_info:
            extra["stack_trace"] = record.stack_info
        location = {"file": record.pathname, "line": record.lineno, "function": record.funcName}
        return self.line(record.levelno, record.getMessage(), record.created, record.name, location, extra)

    def line(
        self, level: int, message: str, created: float, logger: str, location: dict[str, Any], extra: dict[str, Any]
    ) -> str:
        """The JSON line for a message; ``extra`` adds fields (``http_request`` is written as ``httpRequest``)."""
        entry: dict[str, Any] = {
            "severity": logging.getLevelName(level) if level else "DEFAULT",
            "message": message,
            "time": datetime.fromtimestamp(created, UTC),  # orjson writes it as RFC 3339
            "logger": logger,
            SOURCE_LOCATION: location,
        }
        context = _request.get()
        if context is not None:
            if context.request_id:
                entry["request_id"] = context.request_id
            if context.trace is not None:
                trace_id = context.trace.trace_id
                entry[TRACE] = f"projects/{self.project}/traces/{trace_id}" if self.project else trace_id
                if context.trace.span_id:
                    entry[SPAN_ID] = context.trace.span_id
                entry[TRACE_SAMPLED] = context.trace.sampled
        for key, value in extra.items():
            entry.setdefault("httpRequest" if key == "http_request" else key, value)
        try:
            return orjson.dumps(entry, default=str).decode()
        except orjson.JSONEncodeError:  # what orjson does not write, such as an integer over 64 bits or int keys
            entry["time"] = entry["time"].isoformat()
            return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """A record as a line a person reads at a terminal (``CF_LOG_FORMAT=text``, the default in development):
    time, level, logger, message, the request id, and the stack where there is one."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        line = f"{moment} {record.levelname:<7} {record.name}: {record.getMessage()}"
        context = _request.get()
        if context is not None and context.request_id:
            line += f"  [{context.request_id[:8]}]"
        if record.exc_info:
            line += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return line


class StdoutHandler(logging.Handler):
    """Writes to whatever ``sys.stdout`` is at the time (a test's capture replaces it), one line per record."""

    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.formatter: logging.Formatter = formatter

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.write(self.formatter.format(record))
        except Exception:
            self.handleError(record)

    def write(self, line: str) -> None:
        self.acquire()  # one whole line at a time, whichever thread logs
        try:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        finally:
            self.release()


def configure_logging(*, project: str | None, level: int = logging.INFO, text: bool = False) -> StdoutHandler:
    """Send every log record to stdout as Cloud Logging JSON (or, with ``text``, as lines for a person). Safe to
    call more than once."""
    handler = StdoutHandler(TextFormatter() if text else CloudLoggingFormatter(project))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, StdoutHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # HTTP clients log every request URL at INFO; some providers' URLs carry an API key.
    for name in ("httpx", "httpx2", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # Document libraries quote the bytes of the file they choke on in their warnings: a user's text, kept out.
    for name in ("pypdf", "trafilatura", "docx"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    access = logging.getLogger("uvicorn.access")  # the request middleware writes the access log
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
    return handler
