"""An artifact's JSON Schema, reshaped for what each provider's structured output accepts.

Both get a self-contained schema (no ``$ref``) with the requested counts pinned (``minItems == maxItems``).
OpenAI's strict mode wants every property required and ``additionalProperties: false`` on each object;
Gemini's ``response_schema`` takes an OpenAPI subset without ``additionalProperties``. Constraints either
one may reject (string lengths, patterns, titles, defaults) are dropped: the artifact models check them after.
"""

from __future__ import annotations

from typing import Any, Literal

from app.content.catalogue import ArtifactType, spec_of
from app.content.grounding import evidence_field

Dialect = Literal["gemini", "openai"]

_KEEP = {"type", "properties", "required", "items", "enum", "description", "minItems", "maxItems"}


QUOTES = "quotes"  # what a model writes for an item's evidence: the server finds each quote in the source
QUOTES_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string"},
    "minItems": 1,
    "maxItems": 3,
    "description": "One to three sentences copied word for word from the source material that support this item. "
    "Copy them exactly, without changing a word; never quote the instructions, the outline or your own text.",
}


def provider_schema(
    artifact: ArtifactType, controls: dict[str, Any], dialect: Dialect, *, grounded: bool = False
) -> dict[str, Any]:
    """The artifact's schema for a provider. Items that carry evidence take ``quotes`` instead, written first
    (so the model finds its support before it writes the item) when the job has a source, and nothing without."""
    spec = spec_of(artifact)
    raw = spec.model.model_json_schema()
    schema = _simplify(_inline(raw, raw.get("$defs", {})), dialect)
    counted = spec.counted
    if counted is not None and "count" in controls:
        schema["properties"][counted]["minItems"] = schema["properties"][counted]["maxItems"] = controls["count"]
    items = evidence_field(spec.model)
    if items is not None:
        item = schema["properties"][items]["items"]
        rest = {k: v for k, v in item["properties"].items() if k != "evidence"}
        item["properties"] = {QUOTES: QUOTES_SCHEMA, **rest} if grounded else rest
        required = [k for k in item.get("required", []) if k != "evidence"]
        item["required"] = [QUOTES, *required] if grounded else required
        if dialect == "openai":
            item["required"] = list(item["properties"])
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
