"""Who may call the worker endpoint: Cloud Tasks with a Google-signed OIDC token, or (outside production, where no
OIDC is configured) a holder of the shared worker secret. Anyone else is refused.

The token must be signed by a key from ``CF_OIDC_CERTS_URL`` (Google's by default), name the worker URL as its
audience, be issued by Google, and carry ``CF_TASKS_SERVICE_ACCOUNT`` as its verified email.
https://cloud.google.com/tasks/docs/creating-http-target-tasks#token
"""

from __future__ import annotations

import hmac
import logging

import httpx
from google.auth import exceptions as gauth_exceptions
from google.auth import jwt

from app.auth.certs import SigningCerts
from app.errors import Forbidden, Unauthenticated

log = logging.getLogger(__name__)

GOOGLE_ISSUERS = frozenset({"https://accounts.google.com", "accounts.google.com"})


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
        self._certs = SigningCerts(certs_url, http)

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
        certs = await self._certs.for_key(str(kid) if kid else None)
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
