"""What routes depend on, as one-line ``Annotated`` aliases over the lifespan's services.

Each ``/v1`` route takes one caller dependency (``Reader``, ``Writer``, ``Generating``, ``Admin`` or ``Anyone``):
the credential, its scope and the rate limits, and the services to act with. Tests swap any of them with
``app.dependency_overrides``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from app.api.job_views import JobViews
from app.api.streams import Streams
from app.auth.access import Access
from app.auth.admin import KeyAdmin
from app.auth.models import Principal, Scope
from app.auth.service import Authenticator
from app.auth.worker import WorkerAuth
from app.config import Settings
from app.content.cache import ArtifactCache
from app.jobs.exports import JobExports
from app.jobs.queue import TaskQueue
from app.jobs.service import JobsService
from app.jobs.store import JobStore
from app.limits.rate import Traffic
from app.observability.jobs import JobsInFlight
from app.observability.metrics import Metrics
from app.sources.service import SourcesService
from app.webhooks.delivery import Deliverer
from app.webhooks.service import WebhooksService
from app.worker.pipeline import Pipeline
from app.worker.sweeper import Sweeper


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the lifespan builds from settings; reached by routes through the aliases below."""

    settings: Settings
    store: JobStore
    cache: ArtifactCache
    queue: TaskQueue
    pipeline: Pipeline
    sweeper: Sweeper
    jobs: JobsService
    exports: JobExports
    authenticator: Authenticator
    access: Access
    key_admin: KeyAdmin
    worker_auth: WorkerAuth
    metrics: Metrics
    jobs_in_flight: JobsInFlight
    job_views: JobViews
    sources: SourcesService
    streams: Streams
    webhooks: WebhooksService
    deliverer: Deliverer


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated request: who it acts for, and the services to act with."""

    principal: Principal
    services: Services

    @property
    def jobs(self) -> JobsService:
        return self.services.jobs


def services_of(request: Request) -> Services:
    services: Services = request.state.services  # the lifespan's state, copied into every request
    return services


async def get_services(request: Request) -> Services:
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]


class Authenticate:
    """The dependency of every ``/v1`` route: its credential (``X-API-Key`` or ``Authorization: Bearer``), scope
    and rate limits (``app.auth.access``). The OpenAPI document lists the credentials of every route that uses it
    (``app.api.docs``)."""

    def __init__(self, scope: Scope | None, traffic: Traffic = Traffic.READ) -> None:
        self.scope = scope
        self.traffic = traffic

    async def __call__(self, request: Request) -> Caller:
        services = services_of(request)
        return Caller(await services.access.admit(request, self.scope, self.traffic), services)


# The gates, by name, so that a test can override one (``app.dependency_overrides[READER] = ...``).
ANYONE = Authenticate(None)
READER = Authenticate(Scope.JOBS_READ)
WRITER = Authenticate(Scope.JOBS_WRITE)
GENERATING = Authenticate(Scope.JOBS_WRITE, Traffic.GENERATION)  # also counted per client IP
ADMIN = Authenticate(Scope.ADMIN)

Anyone = Annotated[Caller, Depends(ANYONE)]
Reader = Annotated[Caller, Depends(READER)]
Writer = Annotated[Caller, Depends(WRITER)]
Generating = Annotated[Caller, Depends(GENERATING)]
Admin = Annotated[Caller, Depends(ADMIN)]
