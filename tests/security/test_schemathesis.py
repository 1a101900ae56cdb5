"""Schemathesis over the whole published OpenAPI document, authenticated with an admin key: valid and invalid
requests to every operation, and no answer may be a server error or differ from what the document promises
(status, content type, headers, body schema). Operations that need a credential must also refuse requests
without one (``ignored_auth``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.python import asgi

from app.config import Settings
from app.main import create_app
from tests.fixtures.fake_generator import FakeGenerator

EXAMPLES = 25  # per operation and mode
KEY = "cf_schemathesis_admin_key_0123456789abcdefghijklmnopqrs"
ROOMY = "1000000/minute"  # exercise the handlers, not the limiter (its 429 is documented and tested elsewhere)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.ignored_auth,
]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    app = create_app(
        Settings(
            environment="test",
            sqlite_path=folder / "cf.db",
            bootstrap_admin_key=KEY,
            rate_limit_per_ip=ROOMY,
            rate_limit_per_key=ROOMY,
            rate_limit_reads=ROOMY,
            step_retry_base_seconds=0.01,
            step_retry_max_seconds=0.05,
        ),
        generator=FakeGenerator(),
    )
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    asgi.shutdown_lifespans()


def operations(schema: schemathesis.BaseSchema) -> list[Any]:
    return [cast(Any, result).ok() for result in schema.get_all_operations()]  # an invalid operation raises


# Schemathesis' own pytest plugin (``from_fixture``) does not run under pytest 9, so each operation's cases are
# drawn with Hypothesis here, in both generation modes; a failure names the operation and the case.
@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_the_api_keeps_its_published_contract(api_schema: schemathesis.BaseSchema, mode: GenerationMode) -> None:
    found = operations(api_schema)
    assert len(found) >= 15
    for operation in found:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_contract(case) -> None:
            case.call_and_validate(headers={"X-API-Key": KEY}, checks=CHECKS)

        try:
            keeps_contract()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing to make invalid (GET /healthz takes no input)
