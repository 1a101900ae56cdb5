"""Error answers become the exception of their status, with the envelope's code, message, details and id."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest
from content_factory_client import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    Client,
    ConflictError,
    ContentFactoryError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodingError,
    RetryPolicy,
    ServiceUnavailableError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
)
from fakeapi import FakeAPI, FakeClock, error, job, reply

JOB = "/v1/jobs/job_1"


def unretried(api: FakeAPI) -> Client:
    """A client that sends everything once, so each error answer is raised as it is."""
    return Client("http://cf.test", "k", transport=api.transport(), retry=RetryPolicy(retry_statuses=frozenset()))


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (413, PayloadTooLargeError),
        (415, UnsupportedMediaTypeError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, BadGatewayError),
        (503, ServiceUnavailableError),
        (504, BadGatewayError),
        (418, APIError),
    ],
)
def test_each_status_has_its_exception(api: FakeAPI, status: int, kind: type[APIError]) -> None:
    api.on("POST", f"{JOB}/cancel", reply(status, error("some_code", "Some message.", "rid-abc", {"field": "x"})))

    with unretried(api) as client, pytest.raises(ContentFactoryError) as raised:
        client.jobs.cancel("job_1")

    assert type(raised.value) is kind
    assert isinstance(raised.value, APIError)
    assert (raised.value.status, raised.value.code, raised.value.message) == (status, "some_code", "Some message.")
    assert raised.value.details == {"field": "x"}
    assert raised.value.request_id == "rid-abc"
    assert "some_code" in str(raised.value)
    assert "rid-abc" in str(raised.value)


def test_a_body_that_is_not_the_envelope_gets_an_http_code(api: FakeAPI) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    api.on("POST", f"{JOB}/cancel", reply(502, html, {"X-Request-ID": "rid-proxy", "Content-Type": "text/html"}))

    with unretried(api) as client, pytest.raises(BadGatewayError) as raised:
        client.jobs.cancel("job_1")

    assert raised.value.code == "http_502"
    assert raised.value.request_id == "rid-proxy"
    assert raised.value.details == {"body": html}


def test_a_rate_limit_error_says_how_long_to_wait(api: FakeAPI) -> None:
    api.on("POST", f"{JOB}/cancel", reply(429, error("rate_limited"), {"Retry-After": "12"}))

    with unretried(api) as client, pytest.raises(RateLimitError) as raised:
        client.jobs.cancel("job_1")

    assert raised.value.retry_after == 12
    assert raised.value.headers["X-Request-ID"] == "rid-429"


def test_a_success_whose_body_cannot_be_read_is_an_api_error(api: FakeAPI, client: Client) -> None:
    api.on("GET", JOB, reply(200, "<html>captive portal</html>"))

    with pytest.raises(APIError) as raised:
        client.jobs.get("job_1")

    assert raised.value.code == "unexpected_body"


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"X-RateLimit-Reset": "4"}, 4.0),
        (
            {
                "Date": format_datetime(datetime(2026, 12, 3, 10, 0, 0, tzinfo=UTC), usegmt=True),
                "X-RateLimit-Reset": str(int(datetime(2026, 12, 3, 10, 0, 9, tzinfo=UTC).timestamp())),
            },
            9.0,
        ),
        ({"Retry-After": "3", "X-RateLimit-Reset": "40"}, 3.0),
        ({}, None),
    ],
    ids=["reset-seconds", "reset-epoch", "retry-after-first", "neither"],
)
def test_a_rate_limit_error_waits_as_long_as_the_retries_do(
    api: FakeAPI, clock: FakeClock, headers: dict[str, str], seconds: float | None
) -> None:
    api.on("POST", f"{JOB}/cancel", reply(429, error("rate_limited"), headers))

    with unretried(api) as client, pytest.raises(RateLimitError) as raised:
        client.jobs.cancel("job_1")
    assert raised.value.retry_after == seconds

    if seconds is not None:  # the retries wait as long
        api.on("POST", f"{JOB}/cancel", reply(429, error("rate_limited"), headers), reply(200, job(status="cancelled")))
        policy = RetryPolicy(base_delay=0.0)  # no jitter above the server's wait
        with Client("http://cf.test", "k", transport=api.transport(), clock=clock, retry=policy) as client:
            client.jobs.cancel("job_1")
        assert clock.sleeps == [seconds]


def _garbled(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip at all"))


def test_an_answer_that_cannot_be_decoded_is_a_connection_error(api: FakeAPI, client: Client) -> None:
    api.on("GET", JOB, _garbled)

    with pytest.raises(ResponseDecodingError) as raised:
        client.jobs.get("job_1")

    assert isinstance(raised.value, APIConnectionError)
    assert isinstance(raised.value.__cause__, httpx.DecodingError)
    assert len(api.sent("GET", JOB)) == 1
