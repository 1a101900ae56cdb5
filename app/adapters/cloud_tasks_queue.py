"""Cloud Tasks queue (``google-cloud-tasks`` async client): the production adapter.

Each step becomes an HTTP task that POSTs ``{"job_id", "artifact", "generation"}`` (and ``"audio": true`` for a
podcast's audio step) to the worker endpoint with an OIDC token for ``CF_TASKS_SERVICE_ACCOUNT`` (or, outside
production, the worker secret header). Task names derive from job, part and retry generation, so enqueueing a
step twice is deduplicated by Cloud Tasks (``ALREADY_EXISTS`` counts as success). Retries belong to the queue's
configuration (see the README's "Cloud Tasks queue"); this adapter only sets the dispatch deadline.

Webhook deliveries ride on the same queue (``CloudTasksDeliveryQueue``): a task per attempt to
``/internal/tasks/deliveries``, scheduled at the backoff's time.

With ``CF_CLOUD_TASKS_EMULATOR_HOST`` set it talks to the emulator over an insecure gRPC channel.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import grpc
from google.api_core import exceptions as gexc
from google.auth.credentials import AnonymousCredentials
from google.cloud import tasks_v2
from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcAsyncIOTransport
from google.protobuf import duration_pb2, timestamp_pb2

from app.errors import ServiceUnavailable
from app.jobs.queue import Step
from app.observability.metrics import Metrics

log = logging.getLogger(__name__)

WORKER_PATH = "/internal/tasks/steps"
DELIVERY_PATH = "/internal/tasks/deliveries"
SECRET_HEADER = "X-CF-Worker-Secret"  # noqa: S105 — a header name, not a secret


class HttpTasks:
    """Creates HTTP tasks to one worker path on one queue, authenticated as the worker (OIDC, or the secret):
    what the step queue and the webhook delivery queue share."""

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
        self.client = client
        self._metrics = metrics
        self._queue = queue
        self._base = worker_base_url.rstrip("/")
        self._service_account = service_account
        self._secret = worker_secret
        self._deadline = dispatch_deadline_seconds

    async def create(self, path: str, body: dict[str, object], name: str, *, delay_seconds: float = 0) -> None:
        """One task POSTing ``body`` to ``path``, named ``name`` (a name already taken counts as created), run
        after ``delay_seconds``; ``ServiceUnavailable`` when the queue refuses it."""
        headers = {"Content-Type": "application/json"}
        if self._secret:
            headers[SECRET_HEADER] = self._secret
        http_request = tasks_v2.HttpRequest(
            url=self._base + path,
            http_method=tasks_v2.HttpMethod.POST,
            headers=headers,
            body=json.dumps(body).encode(),
        )
        if self._service_account:
            http_request.oidc_token = tasks_v2.OidcToken(
                service_account_email=self._service_account, audience=self._base
            )
        task = tasks_v2.Task(
            name=f"{self._queue}/tasks/{name}",
            http_request=http_request,
            dispatch_deadline=duration_pb2.Duration(seconds=self._deadline),
        )
        if delay_seconds > 0:
            at = timestamp_pb2.Timestamp()
            at.FromDatetime(datetime.now(UTC) + timedelta(seconds=delay_seconds))
            task.schedule_time = at
        try:
            await self.client.create_task(parent=self._queue, task=task, timeout=10.0)
        except gexc.AlreadyExists:
            log.info("task %s already exists", name)
        except gexc.GoogleAPICallError as exc:
            log.error("could not enqueue %s: %s", name, exc)
            if self._metrics is not None:
                self._metrics.enqueue_failed(queue="cloudtasks")
            raise ServiceUnavailable(
                "The task queue is unavailable; try again shortly.",
                code="queue_unavailable",
                headers={"Retry-After": "5"},
            ) from exc

    async def close(self) -> None:
        await self.client.transport.close()


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
        self.tasks = HttpTasks(
            client,
            queue=queue,
            worker_base_url=worker_base_url,
            service_account=service_account,
            worker_secret=worker_secret,
            dispatch_deadline_seconds=dispatch_deadline_seconds,
            metrics=metrics,
        )

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
        body: dict[str, object] = {
            "job_id": step.job_id,
            "artifact": step.artifact.value,
            "generation": step.generation,
        }
        if step.audio:
            body["audio"] = True
        await self.tasks.create(WORKER_PATH, body, step.task_name)

    async def close(self) -> None:
        await self.tasks.close()


class CloudTasksDeliveryQueue:
    """Webhook deliveries on the steps' queue: one task per attempt, to ``DELIVERY_PATH``, at the backoff's time.
    The task is named after the delivery and its attempt, so scheduling an attempt twice creates one task."""

    def __init__(self, tasks: HttpTasks) -> None:
        self._tasks = tasks  # the step queue's, closed with it

    async def schedule(
        self, delivery_id: str, *, attempt: int, delay_seconds: float, recovery: str | None = None
    ) -> None:
        body: dict[str, object] = {"delivery_id": delivery_id}
        name = f"{delivery_id}-a{attempt}" + ("" if recovery is None else f"-r{recovery}")
        await self._tasks.create(DELIVERY_PATH, body, name, delay_seconds=delay_seconds)

    async def close(self) -> None:
        return None
