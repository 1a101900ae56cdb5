"""What routes depend on, as one-line ``Annotated`` aliases over the lifespan's services.

Each route takes a single dependency (``Reader``, ``Writer``, ``Generating``, ``Admin`` or ``Anyone``): FastAPI
resolves every node of a dependency graph on every request, so a flat graph keeps the per-request cost down. The
polling route goes further and calls its gate itself (``gated_inline``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.routing import APIRoute

from app.api.job_views import JobViews
from app.auth.access import Access
from app.auth.admin import KeyAdmin
from app.auth.models import Principal, Scope
from app.auth.service import Authenticator
from app.auth.worker import WorkerAuth
from app.config import Settings
from app.content.cache import ArtifactCache
from app.jobs.queue import TaskQueue
from app.jobs.service import JobsService
from app.jobs.store import JobStore
from app.limits.rate import Traffic
from app.observability.jobs import JobsInFlight
from app.observability.metrics import Metrics
from app.worker.pipeline import Pipeline


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
    access: Access
    key_admin: KeyAdmin
    worker_auth: WorkerAuth
    metrics: Metrics
    jobs_in_flight: JobsInFlight
    job_views: JobViews


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated request: who it acts for, and the services to act with."""

    principal: Principal
    services: Services

    @property
    def jobs(self) -> JobsService:
        return self.services.jobs


def services_of(request: Request) -> Services:
    services: Services = request.scope["state"]["services"]  # the lifespan state, as ASGI hands it to each request
    return services


async def get_services(request: Request) -> Services:
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]


class Authenticate:
    """The dependency of every ``/v1`` route: its credential (``X-API-Key`` or ``Authorization: Bearer``), scope
    and rate limits (``app.auth.access``). It reads the headers itself, so it is one node of the graph; the OpenAPI
    document lists the credentials of every route that uses it (``app.api.docs``)."""

    def __init__(self, scope: Scope | None, traffic: Traffic = Traffic.READ) -> None:
        self.scope = scope
        self.traffic = traffic

    async def __call__(self, request: Request) -> Caller:
        services = services_of(request)
        return Caller(await services.access.admit(request, self.scope, self.traffic), services)


READ = Authenticate(Scope.JOBS_READ)

Anyone = Annotated[Caller, Depends(Authenticate(None))]
Reader = Annotated[Caller, Depends(READ)]
Writer = Annotated[Caller, Depends(Authenticate(Scope.JOBS_WRITE))]
Generating = Annotated[Caller, Depends(Authenticate(Scope.JOBS_WRITE, Traffic.GENERATION))]  # also per IP
Admin = Annotated[Caller, Depends(Authenticate(Scope.ADMIN))]

_EndpointT = TypeVar("_EndpointT", bound=Callable[..., Any])
_INLINE_GATES: dict[Callable[..., Any], Authenticate] = {}


def gated_inline(gate: Authenticate) -> Callable[[_EndpointT], _EndpointT]:
    """Mark a route that calls ``gate`` in its own body instead of taking it as a dependency.

    Only the polling route does this: FastAPI's solving of one sub-dependency costs it about a tenth of its
    time per request (``make bench``). The mark lets the OpenAPI document list the route's credentials as it
    does for every other route (``gate_of``).
    """

    def mark(endpoint: _EndpointT) -> _EndpointT:
        _INLINE_GATES[endpoint] = gate
        return endpoint

    return mark


def gate_of(route: APIRoute) -> Authenticate | None:
    """The access check a route runs: its ``Authenticate`` dependency, or the gate it calls inline."""
    declared = next((d.call for d in route.dependant.dependencies if isinstance(d.call, Authenticate)), None)
    return declared or _INLINE_GATES.get(route.endpoint)
