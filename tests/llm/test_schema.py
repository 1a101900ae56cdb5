"""Provider schemas: self-contained, counts pinned, shaped for each provider's structured output."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.content.catalogue import ArtifactOptions, ArtifactType, artifact_types
from app.llm.schema import provider_schema


def walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += walk(value)
    elif isinstance(node, list):
        for value in node:
            found += walk(value)
    return found


@pytest.mark.parametrize("artifact", artifact_types())
@pytest.mark.parametrize("dialect", ["openai", "gemini"])
def test_schemas_are_self_contained(artifact: ArtifactType, dialect: str) -> None:
    schema = provider_schema(artifact, ArtifactOptions().for_type(artifact), dialect)  # type: ignore[arg-type]
    text = json.dumps(schema)
    assert "$ref" not in text
    assert "$defs" not in text
    for node in walk(schema):
        if node.get("type") == "object":
            assert set(node["required"]) <= set(node["properties"])
            if dialect == "openai":  # strict mode: every property required, nothing extra
                assert node["additionalProperties"] is False
                assert node["required"] == list(node["properties"])
            else:
                assert "additionalProperties" not in node


def test_requested_counts_are_pinned() -> None:
    schema = provider_schema(ArtifactType.FLASHCARDS, {"count": 12}, "openai")
    assert schema["properties"]["cards"]["minItems"] == schema["properties"]["cards"]["maxItems"] == 12


def test_an_optional_field_keeps_its_type_and_description_and_may_be_null() -> None:
    controls = {"count": 5}
    openai = provider_schema(ArtifactType.READING_QUESTIONS, controls, "openai")["properties"]["questions"]["items"]
    assert openai["properties"]["answer"]["type"] == ["string", "null"]
    assert "answer" in openai["required"]  # strict mode: present, possibly null
    assert "model answer" in openai["properties"]["answer"]["description"]
    gemini = provider_schema(ArtifactType.READING_QUESTIONS, controls, "gemini")["properties"]["questions"]["items"]
    assert gemini["properties"]["passage"] == {
        "type": "string",
        "description": gemini["properties"]["passage"]["description"],
        "nullable": True,
    }
    assert "answer" not in gemini["required"]
