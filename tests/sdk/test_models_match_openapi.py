"""The SDK's models and the server's OpenAPI document describe the same bodies, property by property, so the two
cannot drift apart: a field the server adds, drops, renames, retypes or makes optional fails here until the SDK
follows."""

from __future__ import annotations

from typing import Any

import pytest
from content_factory_client import models
from pydantic import BaseModel, TypeAdapter

from app.main import create_app

REF = "#/components/schemas/"


@pytest.fixture(scope="module")
def components(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("openapi")
    from app.config import Settings

    app = create_app(Settings(environment="test", sqlite_path=folder / "cf.db", storage_dir=folder / "storage"))
    schemas: dict[str, Any] = app.openapi()["components"]["schemas"]
    return schemas


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema and len(schema) == 1:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def shape(schema: dict[str, Any], defs: dict[str, Any], names: dict[str, str]) -> object:
    """What a value of ``schema`` may be, with constraints, titles and descriptions left out; references to models
    by the server's name (``names`` maps the SDK's class names to the server's), enums by their values."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        target = defs.get(name, {})
        if "enum" in target or "const" in target:
            return shape(target, defs, names)
        if target.get("type") == "object" and "properties" not in target:
            return shape(target, defs, names)  # a free-form map published as its own schema
        return ("model", names.get(name, name))
    if "const" in schema:
        return ("enum", frozenset([schema["const"]]))
    if "enum" in schema:
        return ("enum", frozenset(schema["enum"]))
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [shape(option, defs, names) for option in schema[key]]
            return ("union", frozenset(repr(option) for option in options))
    kind = schema.get("type")
    if kind == "array":
        return ("array", shape(schema.get("items", {}), defs, names))
    if kind == "object":
        extra = schema.get("additionalProperties", {})
        return ("map", shape(extra, defs, names) if isinstance(extra, dict) else extra)
    if kind == "string" and schema.get("format") in ("date-time", "date"):
        return ("string", schema["format"])
    return kind or "any"


def sdk_schema(model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF + "{model}")
    return schema, schema.get("$defs", {})


def test_every_sdk_model_names_a_server_schema_that_exists(components: dict[str, Any]) -> None:
    mirrored = models.SERVER_SCHEMAS
    assert mirrored, "models.SERVER_SCHEMAS maps each SDK model to the server schema it mirrors"
    missing = {model.__name__: name for model, name in mirrored.items() if name not in components}
    assert not missing, f"SDK models mirror schemas the server does not publish: {missing}"
    for artifact in components["Artifact"]["discriminator"]["mapping"].values():
        assert artifact.removeprefix(REF) in mirrored.values(), f"the SDK has no model for {artifact}"


def test_each_sdk_model_has_the_servers_properties_types_and_required_fields(components: dict[str, Any]) -> None:
    names = {model.__name__: name for model, name in models.SERVER_SCHEMAS.items()}
    problems: list[str] = []
    for model, name in models.SERVER_SCHEMAS.items():
        server = _resolve(components[name], components)
        ours, defs = sdk_schema(model)
        theirs = server.get("properties", {})
        mine = ours.get("properties", {})
        if set(theirs) != set(mine):
            problems.append(
                f"{model.__name__} ~ {name}: properties only on the server {sorted(set(theirs) - set(mine))}, "
                f"only in the SDK {sorted(set(mine) - set(theirs))}"
            )
            continue
        needed = set(ours.get("required", [])) - set(server.get("required", []))
        if needed:
            problems.append(f"{model.__name__}: the SDK requires {sorted(needed)}, which the server may leave out")
        for field in theirs:
            server_shape = shape(theirs[field], components, {})
            sdk_shape = shape(mine[field], {**components, **defs}, names)
            if server_shape != sdk_shape:
                problems.append(f"{model.__name__}.{field}: server {server_shape!r}, SDK {sdk_shape!r}")
    assert not problems, "\n".join(problems)


def test_the_sdk_artifact_union_covers_every_type_the_server_publishes(components: dict[str, Any]) -> None:
    schema = TypeAdapter(models.Artifact).json_schema(ref_template=REF + "{model}")
    mapping = schema["discriminator"]["mapping"]
    server = components["Artifact"]["discriminator"]["mapping"]
    assert set(mapping) == set(server)
    names = {model.__name__: name for model, name in models.SERVER_SCHEMAS.items()}
    for artifact, ref in mapping.items():
        assert names.get(ref.removeprefix(REF)) == server[artifact].removeprefix(REF), artifact
