"""The artifact catalogue route."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import Anyone, ServicesDep
from app.content.schemas import ContentTypeList, catalogue_public

router = APIRouter(prefix="/v1", tags=["content"])


@router.get("/content-types", response_model=ContentTypeList, responses={401: {"description": "Missing API key"}})
async def list_content_types(caller: Anyone, services: ServicesDep) -> ContentTypeList:
    listed = catalogue_public(services.pipeline.generator, speaks=services.jobs.speaks)
    for item in listed.items:
        item.formats = list(services.exports.formats(item.type))
    return listed
