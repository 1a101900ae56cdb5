"""The transport retry policy and the circuit breaker, on scripted provider errors (no clock waits: tiny bases)."""

from __future__ import annotations

import pytest

from app.content.generator import PermanentGenerationError, TransientGenerationError
from app.llm.policy import CallPolicy, CircuitBreaker
from app.llm.providers.base import ProviderError


class Script:
    def __init__(self, *errors: ProviderError | None) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        error = self.errors.pop(0) if self.errors else None
        if error is not None:
            raise error
        return "ok"


def policy(attempts: int = 4, max_seconds: float = 5, breaker: CircuitBreaker | None = None) -> CallPolicy:
    return CallPolicy(
        provider="fake",
        attempts=attempts,
        max_seconds=max_seconds,
        breaker=breaker or CircuitBreaker(failures=100, cooldown_seconds=60),
        backoff_base=0.001,
    )


def busy(retry_after: float | None = None) -> ProviderError:
    return ProviderError("busy", transient=True, status=429, retry_after=retry_after)


async def test_transient_errors_are_retried_until_success() -> None:
    script = Script(busy(), ProviderError("down", transient=True, status=503), None)
    assert await policy().call(script) == "ok"
    assert script.calls == 3


async def test_attempts_are_bounded_and_end_transient() -> None:
    script = Script(*[busy()] * 10)
    with pytest.raises(TransientGenerationError) as caught:
        await policy(attempts=3).call(script)
    assert script.calls == 3
    assert caught.value.code == "provider_unavailable"


async def test_permanent_errors_are_not_retried() -> None:
    script = Script(ProviderError("bad request", transient=False, status=400))
    with pytest.raises(PermanentGenerationError):
        await policy().call(script)
    assert script.calls == 1


async def test_a_retry_after_beyond_the_time_left_stops_at_once_and_is_passed_on() -> None:
    script = Script(busy(retry_after=120), None)
    with pytest.raises(TransientGenerationError) as caught:
        await policy(max_seconds=5).call(script)
    assert script.calls == 1
    assert caught.value.retry_after == 120


async def test_the_breaker_opens_then_lets_one_trial_through_after_the_cooldown() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=2, cooldown_seconds=30, clock=lambda: now[0])
    script = Script(busy(), busy(), None, None)
    with pytest.raises(TransientGenerationError) as caught:
        await policy(attempts=5, breaker=breaker).call(script)
    assert script.calls == 2
    assert caught.value.code == "provider_circuit_open"
    assert caught.value.retry_after == pytest.approx(30)
    now[0] = 31.0
    assert await policy(breaker=breaker).call(script) == "ok"
    assert not breaker.open
