"""Who may call the worker endpoint: Cloud Tasks with a Google-signed OIDC token, or (outside production, where no
OIDC is configured) a holder of the shared worker secret. Anyone else is refused.

The token must be signed by a key from ``CF_OIDC_CERTS_URL`` (Google's by default), name the worker URL as its
audience, be issued by Google, and carry ``CF_TASKS_SERVICE_ACCOUNT`` as its verified email.
https://cloud.google.com/tasks/docs/creating-http-target-tasks#token
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Mapping

import httpx
from google.auth import exceptions as gauth_exceptions
from google.auth import jwt

from app.errors import Forbidden, ServiceUnavailable, Unauthenticated

log = logging.getLogger(__name__)

GOOGLE_ISSUERS = frozenset({"https://accounts.google.com", "accounts.google.com"})
_CERTS_TTL_SECONDS = 3600.0
_REFRESH_AT_MOST_EVERY_SECONDS = 30.0


class WorkerAuth:
    def __init__(
        self,
        *,
        audience: str | None,
        service_account: str | None,
        secret: str | None,
        certs_url: str,
        http: httpx.AsyncClient,
    ) -> None:
        self._audience = audience
        self._service_account = service_account
        self._secret = secret
        self._certs_url = certs_url
        self._http = http
        self._certs: Mapping[str, str] = {}
        self._fetched_at = float("-inf")

    async def verify(self, authorization: str | None, secret: str | None) -> str:
        """Return who called (the service account, or ``worker-secret``), or raise 401/403."""
        if self._service_account:
            return await self._verify_token(authorization)
        if self._secret:
            if secret is None or not hmac.compare_digest(secret.encode(), self._secret.encode()):
                raise Unauthenticated("The worker secret is missing or wrong.", code="invalid_worker_credentials")
            return "worker-secret"
        raise Forbidden("The worker endpoint is not enabled on this deployment.", code="worker_disabled")

    async def _verify_token(self, authorization: str | None) -> str:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("A Cloud Tasks OIDC token is required.", code="invalid_worker_credentials")
        try:
            kid = jwt.decode_header(token).get("kid")
        except (ValueError, gauth_exceptions.GoogleAuthError) as exc:
            raise Unauthenticated("The OIDC token is malformed.", code="invalid_worker_credentials") from exc
        certs = await self._certificates(str(kid) if kid else None)
        try:
            claims = jwt.decode(token, certs=dict(certs), audience=self._audience, clock_skew_in_seconds=10)
        except (ValueError, gauth_exceptions.GoogleAuthError) as exc:
            log.info("refused a worker token: %s", exc)
            raise Unauthenticated("The OIDC token is not valid.", code="invalid_worker_credentials") from exc
        if claims.get("iss") not in GOOGLE_ISSUERS:
            raise Unauthenticated("The OIDC token was not issued by Google.", code="invalid_worker_credentials")
        if claims.get("email") != self._service_account or claims.get("email_verified") is not True:
            raise Forbidden("The OIDC token is for another service account.", code="wrong_service_account")
        return str(claims["email"])

    async def _certificates(self, kid: str | None) -> Mapping[str, str]:
        now = time.monotonic()
        stale = now - self._fetched_at > _CERTS_TTL_SECONDS
        unknown = kid is not None and kid not in self._certs
        if stale or (unknown and now - self._fetched_at > _REFRESH_AT_MOST_EVERY_SECONDS):
            try:
                response = await self._http.get(self._certs_url, timeout=5.0)
                response.raise_for_status()
                certs = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                if not self._certs:
                    raise ServiceUnavailable(
                        "Token signing keys are unavailable.", code="certs_unavailable", headers={"Retry-After": "10"}
                    ) from exc
                log.warning("could not refresh token signing keys: %s", type(exc).__name__)
            else:
                if isinstance(certs, dict):
                    self._certs = {str(k): str(v) for k, v in certs.items()}
                    self._fetched_at = now
        return self._certs
