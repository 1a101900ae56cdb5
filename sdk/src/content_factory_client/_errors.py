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
    │   ├── APITimeoutError
    │   └── ResponseDecodingError                                        an answer whose body could not be decoded
    ├── RetriesExhausted (attempts, elapsed, last_error, status, request_id)
    ├── WaitTimeout (job_id, job, timeout)
    └── ConfigurationError                                               the client cannot be made as given

Other statuses are a plain ``APIError``. A body that is not the envelope (a proxy's HTML page) gives the code
``http_<status>``.
"""

from __future__ import annotations

import email.utils
import json
import time
from datetime import UTC
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from content_factory_client.models import Job

_SNIPPET = 300  # characters of a body that is not the envelope, kept in ``details``
_EPOCH_FROM = 1_000_000_000  # an X-RateLimit-Reset this large is a moment (epoch seconds), not a number of seconds


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
        """Seconds the server asked to wait (``Retry-After``, else ``X-RateLimit-Reset``), or None when it did not
        say: the wait the client's retries honour."""
        return server_wait(self.status, self.headers)


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


class ResponseDecodingError(APIConnectionError):
    """The answer's body could not be decoded (a broken ``Content-Encoding``). The httpx error is the
    ``__cause__``."""


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
    """The job did not finish within the wait's timeout. ``job`` is the job as last seen: None when the wait
    could not read it even once in time."""

    def __init__(self, job_id: str, job: Job | None, timeout: float) -> None:
        if job is None:
            message = f"Job {job_id} could not be read within {timeout:g} s."
        else:
            message = f"Job {job_id} is still {job.status} after {timeout:g} s."
        super().__init__(message)
        self.job_id = job_id
        self.job = job
        self.timeout = timeout


class ConfigurationError(ContentFactoryError):
    """The client cannot be made from its arguments or the environment: a base URL that is not an http(s) URL,
    a key or header that is not ASCII."""


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


def server_wait(status: int, headers: httpx.Headers) -> float | None:
    """The seconds the server asked for: ``Retry-After``, or on a 429 the ``X-RateLimit-Reset`` of the window
    that refused (this API sends the moment, in epoch seconds, when a slot frees up; a small number is taken as
    seconds). None when it did not say. The one reading of these headers: the retries and ``RateLimitError``."""
    asked = _retry_after(headers)
    if asked is not None or status != 429:
        return asked
    try:
        reset = float(headers.get("X-RateLimit-Reset", ""))
    except ValueError:
        return None
    if reset >= _EPOCH_FROM:
        return max(0.0, reset - _server_now(headers))
    return max(0.0, reset)


def _retry_after(headers: httpx.Headers) -> float | None:
    """``Retry-After`` as seconds: a number of seconds, or an HTTP date measured against the answer's ``Date``."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    when = _http_date(value)
    return None if when is None else max(0.0, when - _server_now(headers))


def _server_now(headers: httpx.Headers) -> float:
    """The time of the answer as epoch seconds: its ``Date`` (the server's clock, so the clocks' skew does not
    count), else this machine's clock."""
    date = headers.get("Date")
    when = _http_date(date) if date is not None else None
    return time.time() if when is None else when


def _http_date(value: str) -> float | None:
    """An HTTP date as epoch seconds. HTTP dates are always UTC (RFC 9110, 5.6.7), but the asctime form carries
    no zone and ``parsedate_to_datetime`` returns it naive, which ``timestamp()`` would read as local time."""
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return (when if when.tzinfo is not None else when.replace(tzinfo=UTC)).timestamp()
