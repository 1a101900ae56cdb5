"""Retries: what is sent again, after how long, and what is raised when the budget runs out."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from content_factory_client import (
    APITimeoutError,
    Client,
    NotFoundError,
    RateLimitError,
    RetriesExhausted,
    RetryPolicy,
    ServiceUnavailableError,
)
from fakeapi import FakeAPI, FakeClock, error, job, reply

from conftest import KEY, URL

JOB = "/v1/jobs/job_1"


def make_client(api: FakeAPI, clock: FakeClock, policy: RetryPolicy) -> Client:
    return Client(URL, KEY, transport=api.transport(), clock=clock, retry=policy)


def test_a_get_is_retried_on_503_until_it_succeeds(api: FakeAPI, client: Client, clock: FakeClock) -> None:
    api.on(
        "GET", JOB, reply(503, error("service_unavailable")), reply(502, "<html>bad gateway</html>"), reply(200, job())
    )

    assert client.jobs.get("job_1").id == "job_1"
    assert len(api.sent("GET", JOB)) == 3
    assert len(clock.sleeps) == 2


def test_the_budget_of_attempts_ends_in_retries_exhausted_with_the_last_request_id(
    api: FakeAPI, client: Client, clock: FakeClock
) -> None:
    answers = [reply(503, error("service_unavailable", request_id=f"rid-{n}")) for n in range(1, 6)]
    api.on("GET", JOB, *answers)

    with pytest.raises(RetriesExhausted) as raised:
        client.jobs.get("job_1")

    exhausted = raised.value
    assert exhausted.attempts == 5
    assert exhausted.status == 503
    assert exhausted.request_id == "rid-5"
    assert isinstance(exhausted.last_error, ServiceUnavailableError)
    assert exhausted.elapsed == pytest.approx(sum(clock.sleeps))
    assert len(clock.sleeps) == 4


def test_retry_after_in_seconds_is_waited_at_least(api: FakeAPI, client: Client, clock: FakeClock) -> None:
    api.on("GET", JOB, reply(429, error("rate_limited"), {"Retry-After": "2"}), reply(200, job()))

    client.jobs.get("job_1")

    assert clock.sleeps[0] >= 2


def test_retry_after_as_an_http_date_is_measured_against_the_answers_date(
    api: FakeAPI, client: Client, clock: FakeClock
) -> None:
    now = datetime(2026, 12, 3, 10, 0, 0, tzinfo=UTC)
    headers = {
        "Date": format_datetime(now, usegmt=True),
        "Retry-After": format_datetime(now + timedelta(seconds=7), usegmt=True),
    }
    api.on("GET", JOB, reply(503, error("service_unavailable"), headers), reply(200, job()))

    client.jobs.get("job_1")

    assert clock.sleeps[0] >= 7


def test_a_429_without_retry_after_waits_for_x_ratelimit_reset(api: FakeAPI, client: Client, clock: FakeClock) -> None:
    # The API sends X-RateLimit-Reset as the epoch second when a slot frees up (app/limits/rate.py).
    now = datetime(2026, 12, 3, 10, 0, 0, tzinfo=UTC)
    headers = {"Date": format_datetime(now, usegmt=True), "X-RateLimit-Reset": str(int(now.timestamp()) + 9)}
    api.on("GET", JOB, reply(429, error("rate_limited"), headers), reply(200, job()))

    client.jobs.get("job_1")

    assert clock.sleeps[0] >= 9


def test_a_small_x_ratelimit_reset_is_a_number_of_seconds(api: FakeAPI, client: Client, clock: FakeClock) -> None:
    api.on("GET", JOB, reply(429, error("rate_limited"), {"X-RateLimit-Reset": "4"}), reply(200, job()))

    client.jobs.get("job_1")

    assert clock.sleeps[0] >= 4


def test_a_wait_that_would_pass_the_total_timeout_is_not_slept(api: FakeAPI, clock: FakeClock) -> None:
    api.on("GET", JOB, reply(429, error("rate_limited", request_id="rid-late"), {"Retry-After": "60"}))

    with make_client(api, clock, RetryPolicy(total_timeout=30.0)) as client, pytest.raises(RetriesExhausted) as raised:
        client.jobs.get("job_1")

    assert raised.value.attempts == 1
    assert raised.value.request_id == "rid-late"
    assert isinstance(raised.value.last_error, RateLimitError)
    assert clock.sleeps == []


class _Recording(random.Random):
    def __init__(self) -> None:
        super().__init__(3)
        self.bounds: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.bounds.append((a, b))
        return super().uniform(a, b)


def test_backoff_is_full_jitter_under_an_exponential_cap(api: FakeAPI, clock: FakeClock) -> None:
    api.on("GET", JOB, reply(503, error("service_unavailable")))
    drawn = _Recording()
    policy = RetryPolicy(max_attempts=8, base_delay=0.5, max_delay=4.0, total_timeout=1000.0, jitter=drawn)

    with (
        Client(URL, KEY, transport=api.transport(), clock=clock, retry=policy) as client,
        pytest.raises(RetriesExhausted),
    ):
        client.jobs.get("job_1")

    caps = [min(4.0, 0.5 * 2**n) for n in range(7)]
    assert drawn.bounds[:7] == [(0, cap) for cap in caps]
    assert all(0 <= slept <= cap for slept, cap in zip(clock.sleeps, caps, strict=True))


@pytest.mark.parametrize("seed", range(20))
def test_jittered_sleeps_stay_within_their_bounds(api: FakeAPI, clock: FakeClock, seed: int) -> None:
    api.on("GET", JOB, reply(504, "gateway timeout"))
    policy = RetryPolicy(
        max_attempts=6,
        base_delay=1.0,
        max_delay=5.0,
        total_timeout=1000.0,
        jitter=random.Random(seed),  # seeded jitter
    )

    with (
        Client(URL, KEY, transport=api.transport(), clock=clock, retry=policy) as client,
        pytest.raises(RetriesExhausted),
    ):
        client.jobs.get("job_1")

    assert [slept <= min(5.0, 2.0**n) for n, slept in enumerate(clock.sleeps)] == [True] * 5


def test_create_sends_one_idempotency_key_across_its_retries(api: FakeAPI, client: Client) -> None:
    api.on(
        "POST",
        "/v1/jobs",
        reply(503, error("service_unavailable")),
        httpx.ReadTimeout("lost"),
        reply(200, job()),  # the server answers 200 with the job the key already made
    )

    client.jobs.create(source_text="Some text")

    keys = {request.headers["Idempotency-Key"] for request in api.sent("POST", "/v1/jobs")}
    assert len(api.sent("POST", "/v1/jobs")) == 3
    assert len(keys) == 1


def test_each_create_has_its_own_key_unless_given(api: FakeAPI, client: Client) -> None:
    api.on("POST", "/v1/jobs", reply(202, job()))

    client.jobs.create(topic="Photosynthesis")
    client.jobs.create(topic="Photosynthesis")
    client.jobs.create(topic="Photosynthesis", idempotency_key="mine-1")

    keys = [request.headers["Idempotency-Key"] for request in api.sent("POST", "/v1/jobs")]
    assert keys[0] != keys[1]
    assert keys[2] == "mine-1"


def test_a_post_without_a_key_is_not_sent_again_after_a_503(api: FakeAPI, client: Client) -> None:
    api.on("POST", f"{JOB}/cancel", reply(503, error("service_unavailable")), reply(200, job(status="cancelled")))

    with pytest.raises(ServiceUnavailableError):
        client.jobs.cancel("job_1")

    assert len(api.sent("POST", f"{JOB}/cancel")) == 1


def test_a_post_without_a_key_is_not_sent_again_after_a_read_timeout(api: FakeAPI, client: Client) -> None:
    api.on("POST", f"{JOB}/retry", httpx.ReadTimeout("lost"), reply(202, job()))

    with pytest.raises(APITimeoutError):
        client.jobs.retry("job_1")

    assert len(api.sent("POST", f"{JOB}/retry")) == 1


def test_a_429_is_retried_for_every_call(api: FakeAPI, client: Client, clock: FakeClock) -> None:
    api.on(
        "POST",
        f"{JOB}/cancel",
        reply(429, error("rate_limited"), {"Retry-After": "1"}),
        reply(200, job(status="cancelled")),
    )

    assert client.jobs.cancel("job_1").status == "cancelled"
    assert clock.sleeps[0] >= 1


def test_a_connection_that_never_opened_is_retried_for_every_call(api: FakeAPI, client: Client) -> None:
    api.on("POST", f"{JOB}/cancel", httpx.ConnectError("refused"), reply(200, job(status="cancelled")))

    assert client.jobs.cancel("job_1").status == "cancelled"
    assert len(api.sent("POST", f"{JOB}/cancel")) == 2


def test_connection_failures_exhausted_carry_the_transport_error(api: FakeAPI, clock: FakeClock) -> None:
    api.on("GET", JOB, httpx.ConnectError("refused"))

    with make_client(api, clock, RetryPolicy(max_attempts=3)) as client, pytest.raises(RetriesExhausted) as raised:
        client.jobs.get("job_1")

    assert raised.value.attempts == 3
    assert isinstance(raised.value.last_error, httpx.ConnectError)
    assert raised.value.status is None


def test_a_delete_whose_answer_was_lost_takes_a_404_as_done(api: FakeAPI, client: Client) -> None:
    api.on("DELETE", JOB, httpx.ReadError("dropped"), reply(404, error("job_not_found")))

    client.jobs.delete("job_1")  # no NotFoundError

    assert len(api.sent("DELETE", JOB)) == 2


def test_a_delete_of_a_missing_job_is_not_found(api: FakeAPI, client: Client) -> None:
    api.on("DELETE", JOB, reply(404, error("job_not_found")))

    with pytest.raises(NotFoundError):
        client.jobs.delete("job_1")


def test_an_upload_is_sent_again_with_the_same_bytes(api: FakeAPI, client: Client) -> None:
    source = {
        "id": "src_1", "title": "Notes", "kind": "text", "characters": 5, "sha256": "ab", "media_type": "text/plain",
        "size": 5, "created_at": "2026-12-03T10:00:00Z",
    }  # fmt: skip
    api.on(
        "POST", "/v1/sources", reply(503, error("service_unavailable")), httpx.ReadTimeout("lost"), reply(200, source)
    )

    assert client.sources.upload(b"hello", filename="notes.txt").id == "src_1"

    sent = api.sent("POST", "/v1/sources")
    assert len(sent) == 3
    assert all(b'filename="notes.txt"' in r.content and b"\r\n\r\nhello\r\n" in r.content for r in sent)


def test_a_source_from_a_url_is_not_fetched_twice_after_a_503(api: FakeAPI, client: Client) -> None:
    api.on("POST", "/v1/sources", reply(503, error("service_unavailable")))

    with pytest.raises(ServiceUnavailableError):
        client.sources.from_url("https://example.org/page")

    assert len(api.sent("POST", "/v1/sources")) == 1


def test_statuses_outside_the_policy_are_not_retried(api: FakeAPI, clock: FakeClock) -> None:
    api.on("GET", JOB, reply(503, error("service_unavailable")), reply(200, job()))

    only_429 = RetryPolicy(retry_statuses=frozenset({429}))

    with make_client(api, clock, only_429) as client, pytest.raises(ServiceUnavailableError):
        client.jobs.get("job_1")


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This machine's clock in New York time, five hours behind UTC in December."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


NOW = datetime(2026, 12, 3, 10, 0, 0, tzinfo=UTC)


def asctime(when: datetime) -> str:
    """The asctime form of an HTTP date (RFC 9110, 5.6.7), which carries no zone: it is UTC."""
    return when.strftime("%a %b %e %H:%M:%S %Y")


@pytest.mark.usefixtures("new_york")
@pytest.mark.parametrize(
    ("date", "retry_after"),
    [
        (format_datetime(NOW, usegmt=True), asctime(NOW + timedelta(seconds=7))),
        (asctime(NOW), format_datetime(NOW + timedelta(seconds=7), usegmt=True)),
        (asctime(NOW), asctime(NOW + timedelta(seconds=7))),
    ],
    ids=["retry-after-asctime", "date-asctime", "both-asctime"],
)
def test_http_dates_without_a_zone_are_utc(
    api: FakeAPI, client: Client, clock: FakeClock, date: str, retry_after: str
) -> None:
    api.on(
        "GET",
        JOB,
        reply(503, error("service_unavailable"), {"Date": date, "Retry-After": retry_after}),
        reply(200, job()),
    )

    client.jobs.get("job_1")

    assert clock.sleeps == [pytest.approx(7.0)]


SIGNED = "https://storage.test/exports/job_1/cards.apkg?X-Goog-Signature=abc"
EXPORT = "/v1/jobs/job_1/artifacts/flashcards/export"


def test_a_redirect_does_not_start_a_new_retry_budget(api: FakeAPI, client: Client) -> None:
    unavailable = reply(503, error("service_unavailable"))
    api.on("GET", EXPORT, unavailable, unavailable, reply(307, None, {"Location": SIGNED}))
    api.on("GET", "/exports/job_1/cards.apkg", unavailable)

    with pytest.raises(RetriesExhausted) as raised:
        client.jobs.download("job_1", "flashcards", format="apkg")

    assert raised.value.attempts == 5  # 2 at the API, 3 at the storage; the redirect is not a failed attempt
    assert len(api.sent("GET", "/exports/job_1/cards.apkg")) == 3


def test_a_redirect_counts_its_time_in_the_budget(api: FakeAPI, clock: FakeClock) -> None:
    slow = reply(429, error("rate_limited"), {"Retry-After": "20"})
    api.on("GET", EXPORT, slow, slow, reply(307, None, {"Location": SIGNED}))
    api.on("GET", "/exports/job_1/cards.apkg", reply(503, error("service_unavailable"), {"Retry-After": "20"}))

    with make_client(api, clock, RetryPolicy(total_timeout=50.0)) as client, pytest.raises(RetriesExhausted):
        client.jobs.download("job_1", "flashcards", format="apkg")

    assert sum(clock.sleeps) <= 50.0
    assert len(api.sent("GET", "/exports/job_1/cards.apkg")) == 1  # 40 s were spent before the redirect
