"""Cloud Tasks queue (``google-cloud-tasks`` async client): the production adapter.

Each step becomes an HTTP task that POSTs ``{"job_id", "artifact", "generation"}`` to the worker endpoint with an
OIDC token for ``CF_TASKS_SERVICE_ACCOUNT`` (or, outside production, the worker secret header). Task names
derive from job, artifact and retry generation, so enqueueing a step twice is deduplicated by Cloud Tasks
(``ALREADY_EXISTS`` counts as success). Retries belong to the queue's configuration (see the README's
"Cloud Tasks queue"); this adapter only sets the dispatch deadline.

With ``CF_CLOUD_TASKS_EMULATOR_HOST`` set it talks to the emulator over an insecure gRPC channel.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence

import grpc
from google.api_core import exceptions as gexc
from google.auth.credentials import AnonymousCredentials
from google.cloud import tasks_v2
from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcAsyncIOTransport
from google.protobuf import duration_pb2

from app.errors import ServiceUnavailable
from app.jobs.queue import Step
from app.observability.metrics import Metrics

log = logging.getLogger(__name__)

WORKER_PATH = "/internal/tasks/steps"
SECRET_HEADER = "X-CF-Worker-Secret"  # noqa: S105 — a header name, not a secret


class CloudTasksQueue:
    def __init__(
        self,
        client: tasks_v2.CloudTasksAsyncClient,
        *,
        queue: str,
        worker_base_url: str,
        service_account: str | None,
        worker_secret: str | None,
        dispatch_deadline_seconds: int,
        metrics: Metrics | None = None,
    ) -> None:
        self._metrics = metrics
        self._client = client
        self._queue = queue
        self._url = worker_base_url.rstrip("/") + WORKER_PATH
        self._audience = worker_base_url.rstrip("/")
        self._service_account = service_account
        self._secret = worker_secret
        self._deadline = dispatch_deadline_seconds

    @classmethod
    def open(
        cls,
        *,
        queue: str,
        worker_base_url: str,
        service_account: str | None,
        worker_secret: str | None,
        dispatch_deadline_seconds: int,
        emulator_host: str | None,
        metrics: Metrics | None = None,
    ) -> CloudTasksQueue:
        if emulator_host:
            channel = grpc.aio.insecure_channel(emulator_host)
            transport = CloudTasksGrpcAsyncIOTransport(channel=channel, credentials=AnonymousCredentials())
            client = tasks_v2.CloudTasksAsyncClient(transport=transport)
        else:
            client = tasks_v2.CloudTasksAsyncClient()
        return cls(
            client,
            queue=queue,
            worker_base_url=worker_base_url,
            service_account=service_account,
            worker_secret=worker_secret,
            dispatch_deadline_seconds=dispatch_deadline_seconds,
            metrics=metrics,
        )

    async def enqueue(self, steps: Sequence[Step]) -> None:
        await asyncio.gather(*(self._create(step) for step in steps))

    async def _create(self, step: Step) -> None:
        headers = {"Content-Type": "application/json"}
        if self._secret:
            headers[SECRET_HEADER] = self._secret
        http_request = tasks_v2.HttpRequest(
            url=self._url,
            http_method=tasks_v2.HttpMethod.POST,
            headers=headers,
            body=json.dumps(
                {"job_id": step.job_id, "artifact": step.artifact.value, "generation": step.generation}
            ).encode(),
        )
        if self._service_account:
            http_request.oidc_token = tasks_v2.OidcToken(
                service_account_email=self._service_account, audience=self._audience
            )
        task = tasks_v2.Task(
            name=f"{self._queue}/tasks/{step.task_name}",
            http_request=http_request,
            dispatch_deadline=duration_pb2.Duration(seconds=self._deadline),
        )
        try:
            await self._client.create_task(parent=self._queue, task=task, timeout=10.0)
        except gexc.AlreadyExists:
            log.info("task %s already exists", step.task_name)
        except gexc.GoogleAPICallError as exc:
            log.error("could not enqueue %s: %s", step.task_name, exc)
            if self._metrics is not None:
                self._metrics.enqueue_failed(queue="cloudtasks")
            raise ServiceUnavailable(
                "The task queue is unavailable; try again shortly.",
                code="queue_unavailable",
                headers={"Retry-After": "5"},
            ) from exc

    async def close(self) -> None:
        await self._client.transport.close()
