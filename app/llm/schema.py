"""An artifact's JSON Schema, reshaped for what each provider's structured output accepts.

Both get a self-contained schema (no ``$ref``) with the requested counts pinned (``minItems == maxItems``).
OpenAI's strict mode wants every property required and ``additionalProperties: false`` on each object;
Gemini's ``response_schema`` takes an OpenAPI subset without ``additionalProperties``. Constraints either
one may reject (string lengths, patterns, titles, defaults) are dropped: the artifact models check them after.
"""

from __future__ import annotations

from typing import Any, Literal

from app.content.catalogue import ArtifactType, spec_of

Dialect = Literal["gemini", "openai"]

_KEEP = {"type", "properties", "required", "items", "enum", "description", "minItems", "maxItems"}


def provider_schema(artifact: ArtifactType, controls: dict[str, Any], dialect: Dialect) -> dict[str, Any]:
    spec = spec_of(artifact)
    raw = spec.model.model_json_schema()
    schema = _simplify(_inline(raw, raw.get("$defs", {})), dialect)
    counted = spec.counted
    if counted is not None and "count" in controls:
        schema["properties"][counted]["minItems"] = schema["properties"][counted]["maxItems"] = controls["count"]
    return schema


def notes_schema(dialect: Dialect) -> dict[str, Any]:
    """For condensing a long source: ``{"notes": "..."}``."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"notes": {"type": "string", "description": "Dense notes of the passage."}},
        "required": ["notes"],
    }
    if dialect == "openai":
        schema["additionalProperties"] = False
    return schema


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _simplify(node: dict[str, Any], dialect: Dialect) -> dict[str, Any]:
    options = [o for o in node.get("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1 and len(node["anyOf"]) == 2:  # an optional field: the type it has when present
        present = _simplify({**options[0], **{k: v for k, v in node.items() if k == "description"}}, dialect)
        if dialect == "openai":  # strict mode: every property is required, so an optional one may be null
            present["type"] = [present["type"], "null"]
        else:
            present["nullable"] = True
        return present
    out = {k: v for k, v in node.items() if k in _KEEP}
    if out.get("type") == "object":
        out["properties"] = {name: _simplify(prop, dialect) for name, prop in node.get("properties", {}).items()}
        out["required"] = list(out["properties"]) if dialect == "openai" else list(node.get("required", []))
        if dialect == "openai":
            out["additionalProperties"] = False
    if out.get("type") == "array" and "items" in node:
        out["items"] = _simplify(node["items"], dialect)
    return out
