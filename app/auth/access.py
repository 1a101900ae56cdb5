"""What every ``/v1`` request passes before its route runs: who is calling, may they, and how often.

Generation requests are counted per client IP before the credential is even looked at (so floods of guessed
keys are limited too), then per key or user; every other request per key or user. The verdict of the tightest
window is left in the request scope, and the edge middleware (``app.api.security``) puts it on the response as
``X-RateLimit-*`` headers, on errors as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from app.auth.models import Principal, Scope
from app.auth.service import Authenticator, require_scope
from app.limits.client_ip import client_ip
from app.limits.rate import RateLimiter, Traffic, Verdict, tighter

RATE_LIMIT_STATE = "rate_limit"


@dataclass(frozen=True, slots=True)
class Access:
    authenticator: Authenticator
    limiter: RateLimiter
    trusted_proxy_hops: int

    async def admit(self, request: Request, scope: Scope | None, traffic: Traffic) -> Principal:
        verdict: Verdict | None = None
        try:
            if traffic is Traffic.GENERATION:
                verdict = await self.limiter.per_ip(client_ip(request.scope, self.trusted_proxy_hops))
            headers = request.headers
            principal = await self.authenticator.identify(headers.get("x-api-key"), headers.get("authorization"))
            if scope is not None:
                require_scope(principal, scope)
            own = principal.rate_limit if traffic is Traffic.GENERATION else None
            verdict = tighter(verdict, await self.limiter.per_subject(principal.key_id, traffic, own))
        finally:
            if verdict is not None:
                request.scope.setdefault("state", {})[RATE_LIMIT_STATE] = verdict  # read by the edge middleware
        return principal
