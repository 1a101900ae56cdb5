"""The metrics a user of the dashboard reads, after real jobs over ASGI: families, values, labels, protection."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from google.api_core import exceptions as gexc
from prometheus_client.parser import text_string_to_metric_families

from app.adapters.cloud_tasks_queue import CloudTasksQueue
from app.content.catalogue import ArtifactType, artifact_types
from app.content.generator import Generated, GenerationTask, PermanentGenerationError, Usage
from app.errors import ServiceUnavailable
from app.jobs.queue import Step
from app.main import create_app
from app.observability.metrics import Metrics
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import MakeSettings, open_client, text
from tests.fixtures.fake_generator import FakeGenerator

ARTIFACTS = [a.value for a in artifact_types()]
FAMILIES = {
    "cf_http_requests",
    "cf_http_request_duration_seconds",
    "cf_jobs_created",
    "cf_jobs_finished",
    "cf_jobs_in_flight",
    "cf_jobs_in_flight_oldest_age_seconds",
    "cf_steps_in_progress",
    "cf_step_duration_seconds",
    "cf_cache_lookups",
    "cf_llm_calls",
    "cf_llm_call_duration_seconds",
    "cf_llm_tokens",
    "cf_llm_cost_usd",
    "cf_llm_circuit_open",
    "cf_rate_limit_rejections",
    "cf_enqueue_failures",
}
TOKEN = "metrics-token-0123456789abcdef"


@dataclass(frozen=True)
class Scrape:
    families: set[str]
    samples: list[tuple[str, dict[str, str], float]]

    def value(self, name: str, **labels: str) -> float:
        """The sum of the samples named ``name`` whose labels include ``labels``."""
        found = [v for n, ls, v in self.samples if n == name and labels.items() <= ls.items()]
        assert found, f"no sample {name}{labels}"
        return sum(found)

    def label_values(self) -> set[str]:
        return {v for _, labels, _ in self.samples for v in labels.values()}


async def scrape(client: httpx.AsyncClient, **headers: str) -> Scrape:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    families = list(text_string_to_metric_families(response.text))
    return Scrape({f.name for f in families}, [(s.name, s.labels, s.value) for f in families for s in f.samples])


async def scrape_once_counted(client: httpx.AsyncClient, *, finished: int) -> Scrape:
    """The metrics once ``finished`` jobs are counted: a job is counted when its last write returns, after that
    write's events are told (to webhooks), so it may read as finished a moment before. Bounded in polls."""
    for _ in range(200):
        got = await scrape(client)
        if got.value("cf_jobs_finished_total") >= finished:
            break
        await asyncio.sleep(0.01)
    return got


async def run_job(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    created = await client.post("/v1/jobs", json=body)
    assert created.status_code == 202, created.text
    return await wait_for_job(client, created.json()["id"])


async def test_after_jobs_metrics_show_every_family_with_sensible_values_and_no_ids(
    extractive_client: httpx.AsyncClient,
) -> None:
    source = text("photosynthesis.txt")
    first = await run_job(extractive_client, {"source_text": source})
    second = await run_job(extractive_client, {"source_text": source})  # the repeat: served from the cache
    assert first["status"] == second["status"] == "succeeded"
    assert (await extractive_client.get("/v1/jobs/job_doesnotexist")).status_code == 404
    assert (await extractive_client.get(f"/v1/jobs/{first['id']}/nowhere")).status_code == 404

    got = await scrape_once_counted(extractive_client, finished=2)

    assert got.families >= FAMILIES
    assert got.value("cf_jobs_created_total") == 2
    assert got.value("cf_jobs_finished_total", outcome="succeeded") == 2
    assert got.value("cf_jobs_finished_total", outcome="failed") == 0
    assert got.value("cf_http_requests_total", route="/v1/jobs", method="POST", status_class="2xx") == 2
    assert got.value("cf_http_requests_total", route="/v1/jobs/{job_id}", method="GET", status_class="4xx") == 1
    assert got.value("cf_http_requests_total", route="/v1/jobs/{job_id}", method="GET", status_class="2xx") >= 2
    assert got.value("cf_http_requests_total", route="unmatched", status_class="4xx") == 1
    assert got.value("cf_http_request_duration_seconds_count", route="/v1/jobs", method="POST") == 2
    for artifact in ARTIFACTS:
        assert got.value("cf_step_duration_seconds_count", artifact=artifact, outcome="done") == 2
        assert got.value("cf_cache_lookups_total", artifact=artifact, result="miss") == 1
        assert got.value("cf_cache_lookups_total", artifact=artifact, result="hit") == 1
        # The offline engine makes no LLM call and uses no tokens: real zeros, present for every panel.
        labels = {"provider": "extractive", "model": "extractive-v1", "artifact": artifact}
        assert got.value("cf_llm_calls_total", **labels) == 0
        assert got.value("cf_llm_tokens_total", **labels, direction="input") == 0
        assert got.value("cf_llm_cost_usd_total", **labels) == 0
    assert got.value("cf_steps_in_progress") == 0
    assert got.value("cf_jobs_in_flight", status="running") == 0
    assert got.value("cf_rate_limit_rejections_total", scope="key") == 0
    assert got.value("cf_enqueue_failures_total", queue="inline") == 0

    # No label holds an id or a raw path.
    values = got.label_values()
    assert not any(first["id"] in v or second["id"] in v or re.search(r"job_[0-9a-f]{8}", v) for v in values)
    routes = {labels["route"] for _, labels, _ in got.samples if "route" in labels}
    assert routes <= {"/v1/jobs", "/v1/jobs/{job_id}", "unmatched", "/metrics"}, routes


@dataclass
class ReportingGenerator(FakeGenerator):
    """Reports each call as a provider does, and returns the tokens and cost it spent."""

    metrics: Metrics | None = None

    async def generate(self, task: GenerationTask) -> Generated:
        assert self.metrics is not None
        artifact = task.artifact.value
        spent = Usage(input_tokens=120, output_tokens=30, cached_input_tokens=100, llm_calls=1, cost_usd=0.002)
        self.metrics.llm_call(provider=self.provider, model=self.model, artifact=artifact, outcome="ok", seconds=0.2)
        if task.artifact in self.permanent:
            self.metrics.llm_call(
                provider=self.provider, model=self.model, artifact=artifact, outcome="refused", seconds=0.1
            )
            raise PermanentGenerationError("The provider refused.", code="policy_refusal", usage=spent + spent)
        generated = await super().generate(task)
        return Generated(content=generated.content, usage=spent)


async def test_llm_calls_tokens_and_cost_are_counted(make_settings: MakeSettings) -> None:
    generator = ReportingGenerator(permanent={ArtifactType.FAQ})
    app = create_app(make_settings(), generator=generator)
    generator.metrics = app.state.metrics
    async for client in open_client(app):
        job = await run_job(client, {"source_text": "Enzymes speed up reactions in the cell."})
        assert job["status"] == "partial"
        got = await scrape_once_counted(client, finished=1)

    fake = {"provider": "fake", "model": "fake-1"}
    assert got.value("cf_llm_calls_total", **fake, outcome="ok") == 9
    assert got.value("cf_llm_calls_total", **fake, artifact="faq", outcome="refused") == 1
    assert got.value("cf_llm_call_duration_seconds_count", **fake) == 10
    # Eight generations succeeded (one usage each), the refused one spent twice as much: all counted.
    assert got.value("cf_llm_tokens_total", **fake, direction="input") == 120 * 10
    assert got.value("cf_llm_tokens_total", **fake, artifact="faq", direction="output") == 60
    assert got.value("cf_llm_tokens_total", **fake, direction="cached_input") == 100 * 10
    assert got.value("cf_llm_cost_usd_total", **fake) == pytest.approx(0.002 * 10)
    assert got.value("cf_jobs_finished_total", outcome="partial") == 1
    assert got.value("cf_step_duration_seconds_count", artifact="faq", outcome="failed") == 1


async def test_a_cancelled_job_is_counted_once_as_cancelled(client: httpx.AsyncClient, fake: FakeGenerator) -> None:
    fake.gate = asyncio.Event()
    job = (await client.post("/v1/jobs", json={"source_text": "Cells divide by mitosis."})).json()
    assert (await client.post(f"/v1/jobs/{job['id']}/cancel")).status_code == 200
    fake.gate.set()
    assert (await wait_for_job(client, job["id"]))["status"] == "cancelled"
    assert (await client.delete(f"/v1/jobs/{job['id']}")).status_code == 204
    got = await scrape(client)
    assert got.value("cf_jobs_finished_total", outcome="cancelled") == 1
    assert got.value("cf_jobs_finished_total") == 1


@pytest.fixture
async def guarded(make_settings: MakeSettings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in open_client(create_app(make_settings(metrics_token=TOKEN), generator=FakeGenerator())):
        yield client


async def test_metrics_token_is_required_when_set(guarded: httpx.AsyncClient) -> None:
    missing = await guarded.get("/metrics")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["error"]["code"] == "metrics_token_required"
    assert (
        await guarded.get("/metrics", headers={"Authorization": "Bearer wrong-token-0123456789"})
    ).status_code == 401
    assert (await guarded.get("/metrics", headers={"Authorization": TOKEN})).status_code == 401
    got = await scrape(guarded, Authorization=f"Bearer {TOKEN}")
    assert "cf_http_requests" in got.families


async def test_production_without_a_token_does_not_serve_metrics(make_settings: MakeSettings) -> None:
    settings = make_settings(environment="production", key_pepper="a-production-pepper-0123456789")
    async for client in open_client(create_app(settings, generator=FakeGenerator())):
        assert (await client.get("/metrics")).status_code == 404


def test_settings_refuse_a_short_metrics_token(make_settings: MakeSettings) -> None:
    with pytest.raises(ValueError, match="CF_METRICS_TOKEN"):
        make_settings(metrics_token="short")


def test_labels_stay_bounded_whatever_the_client_sends() -> None:
    metrics = Metrics()
    metrics.http_request(route="unmatched", method="BREW", status=418, seconds=0.01)
    metrics.http_request(route="unmatched", method="GET", status=999, seconds=0.01)
    metrics.cache_lookup(artifact="../../etc/passwd", hit=False)
    exposition = metrics.exposition().decode()
    assert 'method="other",route="unmatched",status_class="4xx"' in exposition
    assert 'status_class="other"' in exposition
    assert 'artifact="other",result="miss"' in exposition
    assert "BREW" not in exposition and "passwd" not in exposition


def test_multiprocess_mode_needs_the_variable_before_start(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="PROMETHEUS_MULTIPROC_DIR"):
        Metrics(multiprocess_dir=tmp_path)


class RefusingTasksClient:
    async def create_task(self, **kwargs: object) -> None:
        raise gexc.ServiceUnavailable("queue paused")


async def test_an_enqueue_failure_is_counted() -> None:
    metrics = Metrics()
    metrics.prepare(provider="fake", model="fake-1", queue="cloudtasks")
    queue = CloudTasksQueue(
        RefusingTasksClient(),  # type: ignore[arg-type]
        queue="projects/p/locations/l/queues/q",
        worker_base_url="http://127.0.0.1:9",
        service_account=None,
        worker_secret="s",
        dispatch_deadline_seconds=60,
        metrics=metrics,
    )
    with pytest.raises(ServiceUnavailable):
        await queue.enqueue([Step("job_a", ArtifactType.OUTLINE, 0)])
    assert re.search(r'cf_enqueue_failures_total\{queue="cloudtasks"\} 1\.0', metrics.exposition().decode())
