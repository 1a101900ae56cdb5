"""What routes depend on, as one-line ``Annotated`` aliases over the lifespan's services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from app.auth.models import Principal, Scope
from app.auth.service import Authenticator, require_scope
from app.auth.worker import WorkerAuth
from app.config import Settings
from app.content.cache import ArtifactCache
from app.content.pipeline import Pipeline
from app.jobs.queue import TaskQueue
from app.jobs.service import JobsService
from app.jobs.store import JobStore


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the lifespan builds from settings; reached by routes through the aliases below."""

    settings: Settings
    store: JobStore
    cache: ArtifactCache
    queue: TaskQueue
    pipeline: Pipeline
    jobs: JobsService
    authenticator: Authenticator
    worker_auth: WorkerAuth


def get_services(request: Request) -> Services:
    services: Services = request.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="Your Content Factory API key.")


async def get_principal(services: ServicesDep, key: Annotated[str | None, Security(_api_key)]) -> Principal:
    return await services.authenticator.authenticate(key)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def _scoped(scope: Scope) -> object:
    def check(principal: PrincipalDep) -> Principal:
        require_scope(principal, scope)
        return principal

    return Depends(check)


Reader = Annotated[Principal, _scoped(Scope.JOBS_READ)]
Writer = Annotated[Principal, _scoped(Scope.JOBS_WRITE)]


def get_jobs(services: ServicesDep) -> JobsService:
    return services.jobs


JobsDep = Annotated[JobsService, Depends(get_jobs)]
