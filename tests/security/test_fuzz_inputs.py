"""Property tests over what clients send that is decoded by hand: list cursors and ID-token claims.

Whatever arrives, the answer is the value or the 4xx the route documents (``BadRequest``, ``Unauthenticated``),
never another exception (a 500).
"""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.auth.certs import SigningCerts
from app.auth.id_tokens import IdTokenVerifier
from app.errors import BadRequest, Unauthenticated
from app.jobs.service import decode_cursor

PROJECT = "demo-cf-fuzz"

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_stamps = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.text(max_size=40),
)


def _encoded(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80), st.tuples(_stamps, _json).map(lambda pair: _encoded(list(pair))), _json.map(_encoded)
    )
)
def test_a_cursor_decodes_to_a_usable_position_or_is_a_bad_request(cursor: str) -> None:
    try:
        position = decode_cursor(cursor)
    except BadRequest as refused:
        code = refused.code
    else:
        position.created_at.astimezone(UTC)  # what the stores do with it
        position.job_id.encode()
        return
    assert code == "invalid_cursor"


_claims = st.fixed_dictionaries(
    {},
    optional={
        "iss": st.one_of(st.just(f"https://securetoken.google.com/{PROJECT}"), _scalars),
        "aud": st.one_of(st.just(PROJECT), _scalars),
        "sub": st.one_of(st.text(min_size=1, max_size=200), _scalars),
        "exp": _scalars,
        "iat": _scalars,
        "auth_time": _scalars,
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_claims)
def test_any_id_token_claims_give_a_user_or_a_401(claims: dict[str, Any]) -> None:
    token = f"{_encoded({'alg': 'none', 'typ': 'JWT'})}.{_encoded(claims)}."

    async def verify() -> None:
        async with httpx.AsyncClient() as http:
            verifier = IdTokenVerifier(
                project=PROJECT,
                certs=SigningCerts("http://127.0.0.1:9/never-fetched", http),
                accept_emulator_tokens=True,  # unsigned tokens: the claims are what is under test
                daily_token_budget=None,
            )
            try:
                principal = await verifier.verify(token)
            except Unauthenticated:
                return
            assert principal.owner == f"uid:{claims['sub']}"
            assert principal.expires_at is not None

    asyncio.run(verify())
