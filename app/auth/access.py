"""What every ``/v1`` request passes before its route runs: who is calling, may they, and how often.

Generation requests are counted per client IP before the credential is even looked at (so floods of guessed
keys are limited too), then per key or user; every other request per key or user. Wrong credentials are counted
per client IP on every request, and an address past its limit is refused before its credential is looked at.
The verdict of the tightest window is left in the request scope, and the edge middleware (``app.api.security``)
puts it on the response as ``X-RateLimit-*`` headers, on errors as well.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

from app.auth.models import Principal, Scope
from app.auth.service import Authenticator, require_scope
from app.errors import Unauthenticated
from app.limits.client_ip import client_ip
from app.limits.rate import RateLimiter, Traffic, Verdict, tighter

log = logging.getLogger(__name__)

RATE_LIMIT_STATE = "rate_limit"


def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Access:
    authenticator: Authenticator
    limiter: RateLimiter
    trusted_proxy_hops: int
    on_failure: Callable[[], None] = _nothing  # a wrong credential was refused (the metric)

    async def admit(self, request: Request, scope: Scope | None, traffic: Traffic) -> Principal:
        verdict: Verdict | None = None
        ip = client_ip(request.scope, self.trusted_proxy_hops)
        try:
            await self.limiter.refuse_guessing(ip)
            if traffic is Traffic.GENERATION:
                verdict = await self.limiter.per_ip(ip)
            principal = await self._identify(request, ip)
            if scope is not None:
                require_scope(principal, scope)
            own = principal.rate_limit if traffic is Traffic.GENERATION else None
            verdict = tighter(verdict, await self.limiter.per_subject(principal.key_id, traffic, own))
        finally:
            if verdict is not None:
                request.scope.setdefault("state", {})[RATE_LIMIT_STATE] = verdict  # read by the edge middleware
        return principal

    async def _identify(self, request: Request, ip: str) -> Principal:
        key, authorization = request.headers.get("x-api-key"), request.headers.get("authorization")
        try:
            return await self.authenticator.identify(key, authorization)
        except Unauthenticated:
            if key or authorization:  # a credential was sent and is wrong: a guess, perhaps
                self.on_failure()
                log.info("refused a %s", "key" if key else "bearer token")  # never the value
                await self.limiter.failed_authentication(ip)
            raise
