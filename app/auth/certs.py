"""Google's token-signing certificates, ``{key id: PEM}``, fetched over HTTP and kept in process.

Used for Cloud Tasks OIDC tokens (https://www.googleapis.com/oauth2/v1/certs) and for Identity Platform ID tokens
(the securetoken service account's x509 certificates). Keys rotate: an unknown key id triggers a refresh, at most
every 30 s, and a failed refresh keeps the last good set.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

import httpx

from app.errors import ServiceUnavailable

log = logging.getLogger(__name__)

_CERTS_TTL_SECONDS = 3600.0
_REFRESH_AT_MOST_EVERY_SECONDS = 30.0


class SigningCerts:
    def __init__(self, url: str, http: httpx.AsyncClient) -> None:
        self._url = url
        self._http = http
        self._certs: Mapping[str, str] = {}
        self._fetched_at = float("-inf")

    async def for_key(self, kid: str | None) -> Mapping[str, str]:
        """The current certificates, refreshed first when stale or when ``kid`` is unknown. 503 when none."""
        now = time.monotonic()
        stale = now - self._fetched_at > _CERTS_TTL_SECONDS
        unknown = kid is not None and kid not in self._certs
        if stale or (unknown and now - self._fetched_at > _REFRESH_AT_MOST_EVERY_SECONDS):
            try:
                response = await self._http.get(self._url, timeout=5.0)
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
