"""Prometheus metrics: every family the service exports, the API that records into them, and the exposition.

A ``Metrics`` is built by ``create_app`` with its own ``CollectorRegistry`` (nothing is registered at import
time) and reached by the code that records: the HTTP middleware holds it, the lifespan's services carry it as
``services.metrics``. Every label takes a bounded set of values — route templates, never raw paths (one fixed
``unmatched`` label for requests no route matched); artifact types; outcomes from fixed lists; the configured
provider, model and queue — never a job, key or user id.

Recording API::

    metrics.http_request(route=..., method=..., status=..., seconds=...)        # HTTP middleware
    metrics.job_created(); metrics.job_finished(JobStatus.SUCCEEDED)             # jobs service and pipeline
    metrics.step_started(); metrics.step_finished(artifact=..., outcome=..., seconds=...)   # pipeline
    metrics.cache_lookup(artifact=..., hit=True)                                 # pipeline
    metrics.llm_usage(provider=..., model=..., artifact=..., usage=...)          # pipeline, per generation
    metrics.llm_call(provider=..., model=..., artifact=..., outcome="ok", seconds=...)   # LLM providers, per call
    metrics.llm_circuit(provider=..., is_open=True)                               # LLM providers' circuit breaker
    metrics.rate_limited(scope="key")                                            # rate limiting
    metrics.enqueue_failed(queue="cloudtasks")                                   # task queue adapters
    metrics.steps_recovered(reason="lease_expired", count=1)                     # the sweeper
    metrics.jobs_in_flight(counts={...}, oldest_seconds={...})                   # /metrics, from the job store

Tokens and cost are counted once per generation from the ``Usage`` the generator returns (the figures the job
reports), so ``llm_call`` takes none: a provider reports each call it makes — its outcome and latency — and
returns the summed tokens and cost in ``Usage`` as it already does. The offline ``extractive`` engine makes no
LLM call, so it reports none; its generations still record their real (zero) tokens, and every labelled child
whose label set is known at start-up (artifacts x outcomes for the configured provider and model, cache
results, job outcomes, rate-limit scopes, the queue) starts at zero, so every dashboard query has a series.

Several processes (``uvicorn --workers N``): set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory, the same
for every worker, in the environment the server starts with (prometheus-client reads it when first imported).
Each process then writes its values to files there and ``/metrics`` sums them: counters and histograms over all
processes, ``cf_steps_in_progress`` over live ones, the store-derived in-flight gauges from the latest reading.
Empty the directory before each start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, get_args

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess, values

from app.content.catalogue import artifact_types
from app.content.generator import Usage
from app.jobs.models import JobStatus
from app.jobs.queue import Outcome

UNMATCHED_ROUTE = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

JobOutcome = Literal["succeeded", "partial", "failed", "cancelled"]
InFlightStatus = Literal["queued", "running"]
# How a step ended: the pipeline's outcomes, or "error" when it raised (the store failed under it).
StepOutcome = Literal["done", "failed", "skipped", "retry", "error"]
# How one LLM call ended, as a provider sees it.
LlmOutcome = Literal["ok", "invalid_output", "rate_limited", "server_error", "timeout", "refused", "error"]
RateLimitScope = Literal["ip", "key", "reads", "auth"]
# Why the sweeper (or a restart of the embedded queue) took a step up again, or failed it (app/worker/sweeper.py).
RecoveryReason = Literal["lease_expired", "not_delivered", "deadline", "restart"]

JOB_OUTCOMES: tuple[JobOutcome, ...] = get_args(JobOutcome)
IN_FLIGHT_STATUSES: tuple[InFlightStatus, ...] = get_args(InFlightStatus)
STEP_OUTCOMES: tuple[StepOutcome, ...] = get_args(StepOutcome)
LLM_OUTCOMES: tuple[LlmOutcome, ...] = get_args(LlmOutcome)
RATE_LIMIT_SCOPES: tuple[RateLimitScope, ...] = get_args(RateLimitScope)
RECOVERY_REASONS: tuple[RecoveryReason, ...] = get_args(RecoveryReason)
assert {o.value for o in Outcome} <= set(STEP_OUTCOMES)

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STEP_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)
LLM_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)


class Metrics:
    """The service's metric families and the one API that records into them."""

    def __init__(self, *, multiprocess_dir: Path | None = None) -> None:
        if multiprocess_dir is not None and values.ValueClass is values.MutexValue:
            raise RuntimeError(
                "PROMETHEUS_MULTIPROC_DIR must be set in the environment the server starts with: "
                "prometheus-client chose single-process values when it was imported"
            )
        self._multiprocess_dir = multiprocess_dir
        self._artifacts = tuple(a.value for a in artifact_types())  # label values: the catalogue's, or "other"
        self.registry = CollectorRegistry()
        # In multi-process mode the values live in files that the exposition reads back, so the families
        # are registered nowhere (they would otherwise be read twice).
        reg = None if multiprocess_dir is not None else self.registry

        self._http_requests = Counter(
            "cf_http_requests",
            "HTTP requests answered, by route template, method and status class.",
            ["route", "method", "status_class"],
            registry=reg,
        )
        self._http_seconds = Histogram(
            "cf_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template, method and status class.",
            ["route", "method", "status_class"],
            buckets=HTTP_BUCKETS,
            registry=reg,
        )
        self._http_series: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}
        self._jobs_created = Counter("cf_jobs_created", "Jobs created (idempotent replays excluded).", registry=reg)
        self._jobs_finished = Counter(
            "cf_jobs_finished", "Jobs that reached a final status, by outcome.", ["outcome"], registry=reg
        )
        self._jobs_in_flight = Gauge(
            "cf_jobs_in_flight",
            "Unfinished jobs in the store by status (counted up to the scan limit).",
            ["status"],
            multiprocess_mode="livemostrecent",
            registry=reg,
        )
        self._jobs_oldest = Gauge(
            "cf_jobs_in_flight_oldest_age_seconds",
            "Age of the oldest unfinished job by status (0 when none).",
            ["status"],
            multiprocess_mode="livemostrecent",
            registry=reg,
        )
        self._steps_in_progress = Gauge(
            "cf_steps_in_progress", "Pipeline steps running now.", multiprocess_mode="livesum", registry=reg
        )
        self._step_seconds = Histogram(
            "cf_step_duration_seconds",
            "Time one pipeline step took, by artifact and outcome.",
            ["artifact", "outcome"],
            buckets=STEP_BUCKETS,
            registry=reg,
        )
        self._cache_lookups = Counter(
            "cf_cache_lookups",
            "Artifact cache lookups, by artifact and result (hit or miss).",
            ["artifact", "result"],
            registry=reg,
        )
        self._llm_calls = Counter(
            "cf_llm_calls",
            "Calls to an LLM, by provider, model, artifact and outcome.",
            ["provider", "model", "artifact", "outcome"],
            registry=reg,
        )
        self._llm_seconds = Histogram(
            "cf_llm_call_duration_seconds",
            "Time one LLM call took, by provider and model.",
            ["provider", "model"],
            buckets=LLM_BUCKETS,
            registry=reg,
        )
        self._llm_tokens = Counter(
            "cf_llm_tokens",
            "LLM tokens used by generations, by provider, model, artifact and direction (input, output, and "
            "cached_input: the part of input the provider's prompt cache served, counted in input too).",
            ["provider", "model", "artifact", "direction"],
            registry=reg,
        )
        self._llm_cost = Counter(
            "cf_llm_cost_usd",
            "Estimated LLM cost of generations in US dollars, by provider, model and artifact.",
            ["provider", "model", "artifact"],
            registry=reg,
        )
        self._llm_circuit_open = Gauge(
            "cf_llm_circuit_open",
            "1 while a provider's circuit breaker is open (calls refused without trying), else 0.",
            ["provider"],
            multiprocess_mode="livemax",
            registry=reg,
        )
        self._rate_limited = Counter(
            "cf_rate_limit_rejections", "Requests refused by a rate limit, by scope.", ["scope"], registry=reg
        )
        self._enqueue_failures = Counter(
            "cf_enqueue_failures", "Steps the task queue refused to take, by queue.", ["queue"], registry=reg
        )
        self._steps_recovered = Counter(
            "cf_steps_recovered",
            "Steps the sweeper enqueued again (lease_expired, not_delivered) or failed (deadline), and steps a "
            "restart of the embedded queue took up again (restart).",
            ["reason"],
            registry=reg,
        )
        self._auth_failures = Counter(
            "cf_auth_failures",
            "Requests whose API key or ID token was refused (a missing one is not counted).",
            registry=reg,
        )

        for outcome in JOB_OUTCOMES:
            self._jobs_finished.labels(outcome)
        for status in IN_FLIGHT_STATUSES:
            self._jobs_in_flight.labels(status)
            self._jobs_oldest.labels(status)
        for scope in RATE_LIMIT_SCOPES:
            self._rate_limited.labels(scope)
        for reason in RECOVERY_REASONS:
            self._steps_recovered.labels(reason)
        for artifact in self._artifacts:
            for result in ("hit", "miss"):
                self._cache_lookups.labels(artifact, result)

    def prepare(self, *, provider: str, model: str, queue: str) -> None:
        """Start at zero every child whose labels the configuration fixes, so each query has a series."""
        for artifact in self._artifacts:
            for outcome in LLM_OUTCOMES:
                self._llm_calls.labels(provider, model, artifact, outcome)
            for direction in ("input", "output", "cached_input"):
                self._llm_tokens.labels(provider, model, artifact, direction)
            self._llm_cost.labels(provider, model, artifact)
        self._llm_seconds.labels(provider, model)
        self._llm_circuit_open.labels(provider)
        self._enqueue_failures.labels(queue)

    # --- recording ------------------------------------------------------------------------------------------

    def http_request(self, *, route: str, method: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        status_class = f"{status // 100}xx" if 100 <= status <= 599 else "other"
        labels = (route, method, status_class)
        series = self._http_series.get(labels)
        if series is None:  # the label look-up takes a lock and hashes; the few label sets are kept at hand
            series = self._http_series[labels] = (
                self._http_requests.labels(*labels),
                self._http_seconds.labels(*labels),
            )
        series[0].inc()
        series[1].observe(seconds)

    def job_created(self) -> None:
        self._jobs_created.inc()

    def job_finished(self, status: JobStatus) -> None:
        self._jobs_finished.labels(status.value).inc()

    def jobs_in_flight(
        self, *, counts: Mapping[InFlightStatus, int], oldest_seconds: Mapping[InFlightStatus, float]
    ) -> None:
        for status in IN_FLIGHT_STATUSES:
            self._jobs_in_flight.labels(status).set(counts.get(status, 0))
            self._jobs_oldest.labels(status).set(oldest_seconds.get(status, 0.0))

    def step_started(self) -> None:
        self._steps_in_progress.inc()

    def step_finished(self, *, artifact: str, outcome: StepOutcome, seconds: float) -> None:
        self._steps_in_progress.dec()
        self._step_seconds.labels(self._artifact(artifact), outcome).observe(seconds)

    def step_abandoned(self) -> None:
        """A step cut short by shutdown: no longer in progress, and neither a latency nor an outcome."""
        self._steps_in_progress.dec()

    def cache_lookup(self, *, artifact: str, hit: bool) -> None:
        self._cache_lookups.labels(self._artifact(artifact), "hit" if hit else "miss").inc()

    def llm_usage(self, *, provider: str, model: str, artifact: str, usage: Usage) -> None:
        """One generation's tokens and cost, as its ``Usage`` reports them (zero for the offline engine)."""
        artifact = self._artifact(artifact)
        self._llm_tokens.labels(provider, model, artifact, "input").inc(usage.input_tokens)
        self._llm_tokens.labels(provider, model, artifact, "output").inc(usage.output_tokens)
        self._llm_tokens.labels(provider, model, artifact, "cached_input").inc(usage.cached_input_tokens)
        self._llm_cost.labels(provider, model, artifact).inc(usage.cost_usd)

    def llm_call(self, *, provider: str, model: str, artifact: str, outcome: LlmOutcome, seconds: float) -> None:
        """One call to an LLM, made by a provider (re-asks and retries are calls too)."""
        outcome = outcome if outcome in LLM_OUTCOMES else "error"
        self._llm_calls.labels(provider, model, self._artifact(artifact), outcome).inc()
        self._llm_seconds.labels(provider, model).observe(seconds)

    def llm_circuit(self, *, provider: str, is_open: bool) -> None:
        """A provider's circuit breaker opened (``True``) or closed again (``False``)."""
        self._llm_circuit_open.labels(provider).set(1 if is_open else 0)

    def auth_failed(self) -> None:
        self._auth_failures.inc()

    def rate_limited(self, *, scope: RateLimitScope) -> None:
        self._rate_limited.labels(scope).inc()

    def enqueue_failed(self, *, queue: str) -> None:
        self._enqueue_failures.labels(queue).inc()

    def steps_recovered(self, *, reason: RecoveryReason, count: int = 1) -> None:
        self._steps_recovered.labels(reason).inc(count)

    # --- exposition -----------------------------------------------------------------------------------------

    def exposition(self) -> bytes:
        """The text format for ``/metrics``: this process's registry, or every process's files."""
        return generate_latest(self.scrape_registry())

    def scrape_registry(self) -> CollectorRegistry:
        """What a scrape reads: this process's registry, or one that collects every process's files."""
        if self._multiprocess_dir is None:
            return self.registry
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(self._multiprocess_dir))  # type: ignore[no-untyped-call]
        return registry

    def _artifact(self, value: str) -> str:
        return value if value in self._artifacts else "other"

    def close(self) -> None:
        """At shutdown, drop this process's live gauges (multi-process mode) so they stop counting."""
        if self._multiprocess_dir is not None:
            multiprocess.mark_process_dead(os.getpid(), str(self._multiprocess_dir))  # type: ignore[no-untyped-call]
