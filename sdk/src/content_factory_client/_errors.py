"""The exceptions the client raises, mirroring the API's error envelope.

    ContentFactoryError
    ├── APIError (status, code, message, details, request_id, headers)   the API answered with an error
    │   ├── BadRequestError            400
    │   ├── AuthenticationError        401
    │   ├── PermissionDeniedError      403
    │   ├── NotFoundError              404
    │   ├── ConflictError              409
    │   ├── PayloadTooLargeError       413
    │   ├── UnsupportedMediaTypeError  415
    │   ├── UnprocessableEntityError   422
    │   ├── RateLimitError             429  (retry_after)
    │   ├── InternalServerError        500
    │   ├── BadGatewayError            502, 504
    │   └── ServiceUnavailableError    503
    ├── APIConnectionError                                               no answer: the network or the server failed
    │   └── APITimeoutError
    ├── RetriesExhausted (attempts, elapsed, last_error, status, request_id)
    └── WaitTimeout (job, timeout)

Other statuses are a plain ``APIError``. A body that is not the envelope (a proxy's HTML page) gives the code
``http_<status>``.
"""

from __future__ import annotations

import email.utils
import json
import time
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from content_factory_client.models import Job

_SNIPPET = 300  # characters of a body that is not the envelope, kept in ``details``


class ContentFactoryError(Exception):
    """Everything this client raises."""


class APIError(ContentFactoryError):
    """The API answered with an error status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        request_id: str | None = None,
        headers: httpx.Headers | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.request_id = request_id
        self.headers = headers if headers is not None else httpx.Headers()

    def __str__(self) -> str:
        rid = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.status} {self.code}: {self.message}{rid}"


class BadRequestError(APIError):
    pass


class AuthenticationError(APIError):
    pass


class PermissionDeniedError(APIError):
    pass


class NotFoundError(APIError):
    pass


class ConflictError(APIError):
    pass


class PayloadTooLargeError(APIError):
    pass


class UnsupportedMediaTypeError(APIError):
    pass


class UnprocessableEntityError(APIError):
    pass


class RateLimitError(APIError):
    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait (``Retry-After``), or None when it did not say."""
        return retry_after_seconds(self.headers)


class InternalServerError(APIError):
    pass


class BadGatewayError(APIError):
    pass


class ServiceUnavailableError(APIError):
    pass


class APIConnectionError(ContentFactoryError):
    """No answer: the connection failed or dropped. The httpx exception is the ``__cause__``."""


class APITimeoutError(APIConnectionError):
    """No answer in time."""


class RetriesExhausted(ContentFactoryError):
    """The retry budget ran out; ``last_error`` is what the last attempt got."""

    def __init__(
        self, *, attempts: int, elapsed: float, last_error: APIError | httpx.TransportError, message: str
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.elapsed = elapsed
        self.last_error = last_error
        self.status: int | None = last_error.status if isinstance(last_error, APIError) else None
        self.request_id: str | None = last_error.request_id if isinstance(last_error, APIError) else None


class WaitTimeout(ContentFactoryError):
    """The job did not finish within the wait's timeout; ``job`` is the job as last seen."""

    def __init__(self, job: Job, timeout: float) -> None:
        super().__init__(f"Job {job.id} is still {job.status} after {timeout:g} s.")
        self.job = job
        self.timeout = timeout


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    500: InternalServerError,
    502: BadGatewayError,
    503: ServiceUnavailableError,
    504: BadGatewayError,
}


def error_from_response(response: httpx.Response) -> APIError:
    """The error an answer stands for; the body must have been read."""
    cls = _BY_STATUS.get(response.status_code, APIError)
    header_id = response.headers.get("X-Request-ID")
    envelope = _envelope(response)
    if envelope is None:
        text = response.text.strip()
        return cls(
            response.status_code,
            f"http_{response.status_code}",
            f"{response.reason_phrase or 'Error'} (the answer is not the API's error body)",
            {"body": text[:_SNIPPET]} if text else None,
            header_id,
            response.headers,
        )
    return cls(
        response.status_code,
        str(envelope.get("code") or f"http_{response.status_code}"),
        str(envelope.get("message") or response.reason_phrase),
        envelope.get("details"),
        str(envelope.get("request_id") or header_id or "") or None,
        response.headers,
    )


def _envelope(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = json.loads(response.content)
    except ValueError:  # also UnicodeDecodeError
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """``Retry-After`` as seconds: a number of seconds, or an HTTP date measured against the answer's ``Date``."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - server_now(headers))


def server_now(headers: httpx.Headers) -> float:
    """The time of the answer as epoch seconds: its ``Date`` (the server's clock, so the clocks' skew does not
    count), else this machine's clock."""
    date = headers.get("Date")
    if date is not None:
        try:
            return email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            pass
    return time.time()
