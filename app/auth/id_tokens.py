"""Identity Platform (Firebase Auth) ID tokens: ``Authorization: Bearer <ID token>`` from a frontend's users.

A token is accepted when it is signed (RS256) by a current key of Google's securetoken service, was issued by
``https://securetoken.google.com/<project>`` for audience ``<project>``, has not expired, was not issued or
authenticated in the future, and names a user (``sub``). The user's uid becomes the principal.
https://firebase.google.com/docs/auth/admin/verify-id-tokens#verify_id_tokens_using_a_third-party_jwt_library

The Firebase Auth emulator issues unsigned tokens (``alg: none``); they are accepted only while
``FIREBASE_AUTH_EMULATOR_HOST`` is configured, which production refuses. Every other check still applies.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from google.auth import exceptions as gauth_exceptions
from google.auth import jwt

from app.auth.certs import SigningCerts
from app.auth.models import Principal, Scope
from app.errors import Unauthenticated

log = logging.getLogger(__name__)

USER_SCOPES = frozenset({Scope.JOBS_READ, Scope.JOBS_WRITE})
USER_PREFIX = "uid:"
_CLOCK_SKEW_SECONDS = 10
_MAX_UID_LENGTH = 128  # Firebase uids are at most 128 characters


def _refuse(message: str) -> Unauthenticated:
    return Unauthenticated(
        message, code="invalid_id_token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


class IdTokenVerifier:
    def __init__(
        self, *, project: str, certs: SigningCerts, accept_emulator_tokens: bool, daily_token_budget: int | None
    ) -> None:
        self._project = project
        self._issuer = f"https://securetoken.google.com/{project}"
        self._certs = certs
        self._accept_emulator_tokens = accept_emulator_tokens
        self._budget = daily_token_budget

    async def verify(self, token: str) -> Principal:
        """The user the token names, or 401 ``invalid_id_token`` (the reason goes to the log, not the client)."""
        try:
            header: Mapping[str, Any] = jwt.decode_header(token)
        except (ValueError, gauth_exceptions.GoogleAuthError) as exc:
            raise _refuse("The ID token is malformed.") from exc
        if header.get("alg") == "none" and self._accept_emulator_tokens:
            claims = self._unverified(token)
        elif header.get("alg") == "RS256" and header.get("kid"):
            certs = await self._certs.for_key(str(header["kid"]))
            try:
                claims = jwt.decode(
                    token, certs=dict(certs), audience=self._project, clock_skew_in_seconds=_CLOCK_SKEW_SECONDS
                )
            except (ValueError, TypeError, OverflowError, gauth_exceptions.GoogleAuthError) as exc:
                # google-auth compares and converts the time claims as it finds them: a string or an enormous
                # number there raises TypeError or OverflowError, which is the token's fault, not ours.
                log.info("refused an ID token: %s", type(exc).__name__)
                raise _refuse("The ID token is not valid.") from exc
        else:
            raise _refuse("The ID token is not signed as Identity Platform signs them.")
        uid, expires = self._check_claims(claims)
        return Principal(
            owner=USER_PREFIX + uid,
            key_id=USER_PREFIX + uid,
            scopes=USER_SCOPES,
            daily_token_budget=self._budget,
            expires_at=expires,
        )

    @staticmethod
    def _unverified(token: str) -> Mapping[str, Any]:
        try:
            claims: Mapping[str, Any] = jwt.decode(token, verify=False)
        except (ValueError, TypeError, gauth_exceptions.GoogleAuthError) as exc:
            raise _refuse("The ID token is malformed.") from exc
        return claims

    def _check_claims(self, claims: Mapping[str, Any]) -> tuple[str, datetime]:
        """The user and the moment the token expires, once every claim checks out."""
        now = time.time()
        exp, iat = _moment(claims.get("exp")), _moment(claims.get("iat"))
        auth_time = _moment(claims.get("auth_time", claims.get("iat")))
        if exp is None or iat is None or auth_time is None:
            raise _refuse("The ID token lacks its times.")
        if exp < now - _CLOCK_SKEW_SECONDS:
            raise _refuse("The ID token has expired.")
        if iat > now + _CLOCK_SKEW_SECONDS or auth_time > now + _CLOCK_SKEW_SECONDS:
            raise _refuse("The ID token was issued in the future.")
        if claims.get("aud") != self._project or claims.get("iss") != self._issuer:
            raise _refuse("The ID token is for another project.")
        uid = claims.get("sub")
        if not isinstance(uid, str) or not uid or len(uid) > _MAX_UID_LENGTH:
            raise _refuse("The ID token names no user.")
        return uid, datetime.fromtimestamp(exp, UTC)


_LATEST = 253_402_300_799  # 9999-12-31T23:59:59Z: any later time cannot be a datetime


def _moment(value: object) -> float | None:
    """A time claim as seconds since the epoch: a finite number (not a string or a boolean) a datetime can hold."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = float(value)
    return seconds if math.isfinite(seconds) and 0 <= seconds <= _LATEST else None
