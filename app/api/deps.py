"""What routes depend on, as one-line ``Annotated`` aliases over the lifespan's services.

Each route takes a single dependency (``Reader``, ``Writer`` or ``Anyone``): FastAPI resolves every node of a
dependency graph on every request, so a flat graph keeps the per-request cost down.
"""

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


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated request: who it acts for, and the services to act with."""

    principal: Principal
    services: Services

    @property
    def jobs(self) -> JobsService:
        return self.services.jobs


def services_of(request: Request) -> Services:
    services: Services = request.state.services
    return services


async def get_services(request: Request) -> Services:
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]

_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="Your Content Factory API key.")


def _caller(scope: Scope | None) -> object:
    async def authenticate(request: Request, key: Annotated[str | None, Security(_api_key)]) -> Caller:
        services = services_of(request)
        principal = await services.authenticator.authenticate(key)
        if scope is not None:
            require_scope(principal, scope)
        return Caller(principal, services)

    return Depends(authenticate)


Anyone = Annotated[Caller, _caller(None)]
Reader = Annotated[Caller, _caller(Scope.JOBS_READ)]
Writer = Annotated[Caller, _caller(Scope.JOBS_WRITE)]
