"""Error answers become the exception of their status, with the envelope's code, message, details and id."""

from __future__ import annotations

import pytest
from content_factory_client import (
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
    RetryPolicy,
    ServiceUnavailableError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
)
from fakeapi import FakeAPI, error, reply

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
