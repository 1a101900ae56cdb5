"""A type added through the catalogue alone is served end to end; a type declared incompletely is refused by name.

The throwaway type here, ``glossary``, is registered with ``register`` in the test process and nothing else: no
model in ``app.content.models``, no prompt template, no offline recipe. Every layer that looks types up in the
catalogue (requests, options, ``GET /v1/content-types``, provider schemas, quota estimates) serves it; the two
generators, which keep their own per-type parts, refuse to start without theirs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import Field, ValidationInfo, model_validator

from app.config import ConfigError
from app.content.catalogue import (
    ArtifactOptions,
    ArtifactSpec,
    ArtifactType,
    CatalogueError,
    Controls,
    TokenEstimate,
    register,
    spec_of,
    unregister,
    validate_content,
)
from app.content.generator import REQUEST_CONTROLS, Generated, GenerationInput, GenerationTask, Usage
from app.content.models import ArtifactModel, Line, Text
from app.extractive import ExtractiveGenerator
from app.jobs.models import JobRequest
from app.limits.quotas import estimate_tokens
from app.llm.engine import LlmGenerator
from app.llm.schema import provider_schema
from app.main import create_app
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import MakeSettings, open_client
from tests.fixtures.fake_generator import valid_content

SOURCE = "Mitochondria produce energy for the cell through respiration."


class GlossaryTerm(ArtifactModel):
    term: Line
    definition: Text


class Glossary(ArtifactModel):
    terms: list[GlossaryTerm] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _as_many_as_requested(self, info: ValidationInfo) -> Glossary:
        wanted = ((info.context or {}).get("controls") or {}).get("count")
        if wanted is not None and len(self.terms) != wanted:
            raise ValueError(f"{wanted} terms were requested, {len(self.terms)} were produced")
        return self


class GlossaryControls(Controls):
    count: int = Field(default=6, ge=3, le=20, description="Number of terms.")


class NoCountControls(Controls):
    pass


GLOSSARY: dict[str, Any] = {
    "name": "glossary",
    "model": Glossary,
    "description": "Terms of the material with their definitions.",
    "output_tokens": TokenEstimate(40, per="count"),
    "controls": GlossaryControls,
    "counted": "terms",
}


def glossary_spec(**changes: Any) -> ArtifactSpec:
    return ArtifactSpec(**{**GLOSSARY, **changes})


@pytest.fixture
def glossary() -> Iterator[ArtifactType]:
    """The glossary type, registered for the one test and taken away after it, whatever the test did."""
    artifact = register(glossary_spec())
    try:
        yield artifact
    finally:
        unregister(artifact)


@dataclass
class GlossaryWriter:
    """A scripted generator for the outline and the glossary: valid content, ``count`` terms."""

    provider: str = "scripted"
    model: str = "scripted-1"
    prompt_version: str = "scripted-1"

    async def check(
        self, request: GenerationInput, artifacts: Sequence[ArtifactType], options: ArtifactOptions
    ) -> None:
        return None

    def honoured(self, artifact: ArtifactType) -> frozenset[str]:
        return frozenset({*REQUEST_CONTROLS, *spec_of(artifact).defaults()})

    async def generate(self, task: GenerationTask) -> Generated:
        if task.artifact.value == "glossary":
            count = int(task.controls["count"])
            data: dict[str, Any] = {
                "terms": [{"term": f"Term {i}", "definition": f"What term {i} means."} for i in range(1, count + 1)]
            }
        else:
            data = valid_content(task)
        content = validate_content(task.artifact, data, task.controls)
        return Generated(content=content, usage=Usage(input_tokens=10, output_tokens=5, llm_calls=1))


def refusal(spec: ArtifactSpec) -> str:
    """The message ``register`` refuses ``spec`` with (and the type taken away again if it was not refused)."""
    try:
        artifact = register(spec)
    except CatalogueError as exc:
        return str(exc)
    unregister(artifact)
    raise AssertionError(f"register accepted {spec!r}")


# --- served end to end -------------------------------------------------------------------------------------


async def test_a_registered_type_is_listed_with_its_schema_and_count_range(
    glossary: ArtifactType, make_settings: MakeSettings
) -> None:
    async for client in open_client(create_app(make_settings(), generator=GlossaryWriter())):
        response = await client.get("/v1/content-types")
        assert response.status_code == 200, response.text
        by_type = {item["type"]: item for item in response.json()["items"]}
        assert "glossary" in by_type and "outline" in by_type
        listed = by_type["glossary"]
        assert listed["description"] == GLOSSARY["description"]
        assert listed["derived_from_outline"] is True
        assert listed["controls"] == {
            "count": {
                "type": "integer",
                "default": 6,
                "minimum": 3,
                "maximum": 20,
                "description": "Number of terms.",
                "available": True,
            }
        }
        assert listed["schema"] == Glossary.model_json_schema()
        assert "terms" in listed["schema"]["properties"]

        openapi = (await client.get("/openapi.json")).json()["components"]["schemas"]
        assert openapi["JobCreate"]["properties"]["artifacts"]["anyOf"][0]["items"] == {
            "$ref": "#/components/schemas/ArtifactType"
        }
        assert "glossary" in openapi["ArtifactType"]["enum"]
        assert openapi["ArtifactOptions"]["properties"]["glossary"]["properties"]["count"]["maximum"] == 20


async def test_a_registered_type_is_generated_with_the_count_asked_for(
    glossary: ArtifactType, make_settings: MakeSettings
) -> None:
    async for client in open_client(create_app(make_settings(), generator=GlossaryWriter())):
        created = await client.post(
            "/v1/jobs",
            json={"source_text": SOURCE, "artifacts": ["glossary"], "options": {"glossary": {"count": 4}}},
        )
        assert created.status_code == 202, created.text
        assert set(created.json()["artifacts"]) == {"outline", "glossary"}
        assert created.json()["request"]["options"]["glossary"] == {"count": 4}

        job = await wait_for_job(client, created.json()["id"])
        assert job["status"] == "succeeded", job
        assert job["artifacts"]["glossary"]["status"] == "succeeded"

        artifact = await client.get(f"/v1/jobs/{job['id']}/artifacts/glossary")
        assert artifact.status_code == 200, artifact.text
        body = artifact.json()
        assert body["type"] == "glossary"
        assert body["generated_by"]["provider"] == "scripted"
        assert len(body["content"]["terms"]) == 4
        assert body["content"]["terms"][0] == {"term": "Term 1", "definition": "What term 1 means."}

        metrics = await client.get("/metrics")
        assert metrics.status_code == 200, metrics.text
        lookups = {
            (sample.labels["artifact"], sample.labels["result"]): sample.value
            for family in text_string_to_metric_families(metrics.text)
            for sample in family.samples
            if sample.name == "cf_cache_lookups_total"
        }
        assert lookups[("glossary", "miss")] == 1  # labelled by its own name, not "other"


async def test_a_registered_type_without_options_gets_its_default_count(
    glossary: ArtifactType, make_settings: MakeSettings
) -> None:
    async for client in open_client(create_app(make_settings(), generator=GlossaryWriter())):
        created = await client.post("/v1/jobs", json={"source_text": SOURCE, "artifacts": ["glossary"]})
        assert created.status_code == 202, created.text
        job = await wait_for_job(client, created.json()["id"])
        assert job["status"] == "succeeded", job
        artifact = await client.get(f"/v1/jobs/{job['id']}/artifacts/glossary")
        assert len(artifact.json()["content"]["terms"]) == 6


@pytest.mark.parametrize("count", [2, 21, "many"])
async def test_a_count_out_of_the_registered_range_is_refused_naming_the_field(
    glossary: ArtifactType, make_settings: MakeSettings, count: object
) -> None:
    async for client in open_client(create_app(make_settings(), generator=GlossaryWriter())):
        response = await client.post(
            "/v1/jobs",
            json={"source_text": SOURCE, "artifacts": ["glossary"], "options": {"glossary": {"count": count}}},
        )
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert [d["field"] for d in error["details"]] == ["options.glossary.count"]
        assert (await client.get("/v1/jobs")).json()["items"] == []


async def test_an_unknown_control_of_a_registered_type_is_refused(
    glossary: ArtifactType, make_settings: MakeSettings
) -> None:
    async for client in open_client(create_app(make_settings(), generator=GlossaryWriter())):
        response = await client.post(
            "/v1/jobs",
            json={"source_text": SOURCE, "artifacts": ["glossary"], "options": {"glossary": {"words": 4}}},
        )
        assert response.status_code == 422, response.text
        assert [d["field"] for d in response.json()["error"]["details"]] == ["options.glossary.words"]


@pytest.mark.parametrize("dialect", ["openai", "gemini"])
def test_the_provider_schema_of_a_registered_type_pins_the_count(glossary: ArtifactType, dialect: str) -> None:
    schema = provider_schema(glossary, {"count": 4}, dialect)  # type: ignore[arg-type]
    terms = schema["properties"]["terms"]
    assert terms["type"] == "array"
    assert terms["minItems"] == terms["maxItems"] == 4
    assert set(terms["items"]["properties"]) == {"term", "definition"}
    assert set(terms["items"]["required"]) == {"term", "definition"}
    if dialect == "openai":
        assert schema["additionalProperties"] is False
        assert terms["items"]["additionalProperties"] is False
    other = provider_schema(glossary, {"count": 12}, dialect)  # type: ignore[arg-type]
    assert other["properties"]["terms"]["minItems"] == other["properties"]["terms"]["maxItems"] == 12


def test_the_token_estimate_of_a_registered_type_grows_with_the_count(glossary: ArtifactType) -> None:
    def estimate(count: int) -> int:
        request = JobRequest(
            source_text=SOURCE,
            artifacts=(ArtifactType.OUTLINE, glossary),
            options=ArtifactOptions.model_validate({"glossary": {"count": count}}),
        )
        return estimate_tokens(request, [glossary])

    assert estimate(3) < estimate(4) < estimate(20)
    assert estimate(20) - estimate(4) == 40 * 16  # 40 tokens a term, as declared
    default = JobRequest(source_text=SOURCE, artifacts=(ArtifactType.OUTLINE, glossary))
    assert estimate_tokens(default, [glossary]) == estimate(6)


# --- a declaration left incomplete -------------------------------------------------------------------------


def test_a_count_control_without_a_counted_list_is_refused() -> None:
    message = refusal(glossary_spec(counted=None))
    assert "'glossary'" in message
    assert "counted" in message


def test_a_counted_list_that_is_not_a_field_of_the_model_is_refused() -> None:
    message = refusal(glossary_spec(counted="entries"))
    assert "'glossary'" in message
    assert "'entries'" in message
    assert "Glossary" in message


def test_a_counted_list_without_a_count_control_is_refused() -> None:
    message = refusal(glossary_spec(controls=NoCountControls, output_tokens=TokenEstimate(400)))
    assert "'glossary'" in message
    assert "count" in message


def test_a_token_estimate_per_a_control_that_does_not_exist_is_refused() -> None:
    message = refusal(glossary_spec(output_tokens=TokenEstimate(40, per="words")))
    assert "'glossary'" in message
    assert "'words'" in message


def test_every_problem_of_a_declaration_is_named_at_once() -> None:
    message = refusal(glossary_spec(counted="entries", output_tokens=TokenEstimate(40, per="words")))
    assert "'entries'" in message and "'words'" in message


def test_a_type_without_a_token_estimate_cannot_be_declared() -> None:
    declared = {k: v for k, v in GLOSSARY.items() if k != "output_tokens"}
    with pytest.raises(TypeError, match="output_tokens"):
        ArtifactSpec(**declared)


def test_a_type_cannot_be_registered_twice(glossary: ArtifactType) -> None:
    message = refusal(glossary_spec())
    assert "'glossary'" in message
    assert "already registered" in message


def test_the_offline_engine_refuses_to_start_without_a_recipe_for_a_registered_type(glossary: ArtifactType) -> None:
    with pytest.raises(CatalogueError) as refused:
        ExtractiveGenerator()
    assert "'glossary'" in str(refused.value)
    assert "recipe" in str(refused.value)
    assert "app/extractive/recipes.py" in str(refused.value)


def test_the_llm_generator_refuses_to_start_without_a_template_for_a_registered_type(
    glossary: ArtifactType, make_settings: MakeSettings
) -> None:
    settings = make_settings(llm_provider="openai", openai_api_key="x")
    with pytest.raises(CatalogueError) as refused:
        LlmGenerator.from_settings(settings, None)
    assert "'glossary'" in str(refused.value)
    assert "app/llm/prompts/v2/" in str(refused.value)


async def test_the_app_refuses_to_start_with_the_extractive_engine_lacking_a_recipe(
    glossary: ArtifactType, make_settings: MakeSettings
) -> None:
    app = create_app(make_settings())  # the default engine, built as the app starts

    async def start() -> None:
        async for _ in open_client(app):
            raise AssertionError("the app started")

    with pytest.raises(CatalogueError, match="glossary"):
        await start()


def test_an_unknown_provider_is_refused_naming_the_known_ones(make_settings: MakeSettings) -> None:
    with pytest.raises(ConfigError) as refused:
        create_app(make_settings(llm_provider="nope"))
    message = str(refused.value)
    assert "'nope'" in message
    for known in ("extractive", "gemini", "openai"):
        assert known in message


# --- taken away again --------------------------------------------------------------------------------------


async def test_an_unregistered_type_is_refused_again(glossary: ArtifactType, make_settings: MakeSettings) -> None:
    assert ArtifactType("glossary") is glossary
    async for client in open_client(create_app(make_settings(), generator=GlossaryWriter())):
        before = await client.post("/v1/jobs", json={"source_text": SOURCE, "artifacts": ["glossary"]})
        assert before.status_code == 202, before.text
        await wait_for_job(client, before.json()["id"])

        unregister(glossary)

        with pytest.raises(ValueError, match="glossary"):
            ArtifactType("glossary")
        listed = (await client.get("/v1/content-types")).json()["items"]
        assert "glossary" not in {item["type"] for item in listed}
        assert "outline" in {item["type"] for item in listed}

        refused = await client.post("/v1/jobs", json={"source_text": SOURCE, "artifacts": ["glossary"]})
        assert refused.status_code == 422, refused.text
        assert [d["field"] for d in refused.json()["error"]["details"]] == ["artifacts.0"]

        options = await client.post("/v1/jobs", json={"source_text": SOURCE, "options": {"glossary": {"count": 4}}})
        assert options.status_code == 422, options.text
        assert [d["field"] for d in options.json()["error"]["details"]] == ["options.glossary"]

        everything = await client.post("/v1/jobs", json={"source_text": SOURCE})  # the default: every type
        assert everything.status_code == 202, everything.text
        assert "glossary" not in everything.json()["artifacts"]
        assert (await wait_for_job(client, everything.json()["id"]))["status"] == "succeeded"
