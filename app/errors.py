"""The error hierarchy and the one place that maps errors to the error envelope.

    AppError (code, message, status, details)
    ├── BadRequest          400
    ├── Unauthenticated     401
    ├── Forbidden           403
    ├── NotFound            404
    ├── Conflict            409
    ├── PayloadTooLarge     413
    ├── UnsupportedMediaType 415
    ├── Unprocessable       422
    ├── TooManyRequests     429  (rate_limited, quota_exceeded)
    └── ServiceUnavailable  503

Every error body is ``{"error": {"code", "message", "details", "request_id"}}``. Unexpected exceptions become a
500 with the request id and nothing else.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    status: int = 500
    code: str = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details
        self.headers = headers or {}


class BadRequest(AppError):
    status, code = 400, "bad_request"


class Unauthenticated(AppError):
    status, code = 401, "unauthenticated"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class PayloadTooLarge(AppError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(AppError):
    status, code = 415, "unsupported_media_type"


class Unprocessable(AppError):
    status, code = 422, "validation_error"


class TooManyRequests(AppError):
    status, code = 429, "rate_limited"


class ServiceUnavailable(AppError):
    status, code = 503, "service_unavailable"


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def request_id(request: Request) -> str:
    """The request's id: from the edge middleware (``app.api.security``), or a fresh one."""
    rid = getattr(request.state, "request_id", None)
    if not isinstance(rid, str):
        rid = uuid.uuid4().hex
        request.state.request_id = rid
    return rid


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details, "request_id": request_id(request)}}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_details(errors: Any) -> list[dict[str, Any]]:
    """Pydantic errors as ``[{field, message, type}]``, with no input values echoed back."""
    out = []
    for err in errors:
        message = str(err.get("msg", "invalid"))
        ctx = err.get("ctx") or {}
        if "error" in ctx and isinstance(ctx["error"], Exception):
            message = str(ctx["error"])
        out.append({"field": _field_path(tuple(err.get("loc", ()))), "message": message, "type": err.get("type")})
    return out


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return error_response(request, exc.status, exc.code, exc.message, exc.details, exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = validation_details(exc.errors())
    fields = ", ".join(sorted({d["field"] for d in details}))
    return error_response(request, 422, "validation_error", f"Invalid request: {fields}", details)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    headers = dict(exc.headers) if exc.headers else None
    return error_response(request, exc.status_code, code, str(exc.detail), None, headers)


def internal_error(request: Request, headers: dict[str, str] | None = None) -> JSONResponse:
    """Log the exception being handled (with its stack; Sentry reports it from the log) and answer 500 in the
    envelope, without a word of what went wrong."""
    log.exception("unhandled error", extra={"request_id": request_id(request)})
    return error_response(request, 500, "internal_error", "An unexpected error occurred.", headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Unexpected errors are answered by the edge middleware (app.api.security), so the connection stays open;
    # this is for one raised by that middleware itself. Starlette sends it from outside every middleware: add
    # what they would have.
    edge_headers: dict[str, str] = getattr(request.state, "edge_headers", None) or {}
    return internal_error(request, {**edge_headers, "X-Request-ID": request_id(request)})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
