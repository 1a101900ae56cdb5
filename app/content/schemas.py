"""Response bodies of the content catalogue."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.content.catalogue import CATALOGUE, ArtifactType, control_ranges


class ControlRange(BaseModel):
    type: str | None
    default: Any
    minimum: int | None
    maximum: int | None
    description: str | None


class ContentType(BaseModel):
    type: ArtifactType
    description: str
    derived_from_outline: bool
    controls: dict[str, ControlRange]
    json_schema: dict[str, Any] = Field(alias="schema", serialization_alias="schema")

    model_config = ConfigDict(populate_by_name=True)


class ContentTypeList(BaseModel):
    items: list[ContentType]


def catalogue_public() -> ContentTypeList:
    return ContentTypeList(
        items=[
            ContentType(
                type=spec.artifact,
                description=spec.description,
                derived_from_outline=spec.artifact is not ArtifactType.OUTLINE,
                controls={name: ControlRange(**r) for name, r in control_ranges(spec).items()},
                json_schema=spec.model.model_json_schema(),
            )
            for spec in CATALOGUE.values()
        ]
    )
