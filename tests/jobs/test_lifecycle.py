"""The job lifecycle's changes (``app.jobs.lifecycle``), applied to jobs as a store transaction would apply them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.content.catalogue import ArtifactType
from app.content.generator import Usage
from app.jobs import lifecycle
from app.jobs.lifecycle import Busy, Changed, Claim
from app.jobs.models import ErrorInfo, Job, JobRequest, JobStatus, StepState, StepStatus
from app.jobs.queue import Step

T0 = datetime(2026, 1, 1, tzinfo=UTC)
LEASE = 30.0
JOB_ID = "job_lifecycle"
OUTLINE, FAQ, FLASHCARDS = ArtifactType.OUTLINE, ArtifactType.FAQ, ArtifactType.FLASHCARDS
USAGE = Usage(input_tokens=10, output_tokens=20, llm_calls=1, cost_usd=0.002)
BROKEN = ErrorInfo(code="policy_refusal", message="The provider refused the request.")
OVERLOADED = ErrorInfo(code="provider_unavailable", message="The provider is overloaded.")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def step(artifact: ArtifactType, generation: int = 0) -> Step:
    return Step(JOB_ID, artifact, generation)


def make_job(steps: dict[ArtifactType, StepState] | None = None, *, cancel_requested: bool = False) -> Job:
    """A job as the service creates it (outline queued, the rest pending), or with the given steps."""
    if steps is None:
        steps = {OUTLINE: StepState(status=StepStatus.QUEUED), FAQ: StepState(), FLASHCARDS: StepState()}
    job = Job(
        id=JOB_ID,
        owner="alice",
        key_id="k1",
        request=JobRequest(source_text="Some text to teach from.", artifacts=tuple(steps)),
        request_hash="h",
        steps=steps,
        cancel_requested=cancel_requested,
        created_at=T0,
        updated_at=T0,
        expires_at=T0 + timedelta(days=30),
    )
    job.refresh(T0)
    return job


def running(*, generation: int = 0, attempts: int = 1, lease_until: datetime | None = None) -> StepState:
    return StepState(
        status=StepStatus.RUNNING,
        attempts=attempts,
        generation=generation,
        lease_until=lease_until or at(LEASE),
        started_at=T0,
    )


def succeeded(generation: int = 0) -> StepState:
    return StepState(
        status=StepStatus.SUCCEEDED, attempts=1, generation=generation, usage=USAGE, started_at=T0, finished_at=T0
    )


def failed(error: ErrorInfo = BROKEN) -> StepState:
    return StepState(status=StepStatus.FAILED, attempts=1, error=error, started_at=T0, finished_at=T0)


def claim(job: Job, artifact: ArtifactType, now: datetime, generation: int = 0) -> Claim:
    result = lifecycle.claim_step(step(artifact, generation), now, LEASE)(job)
    assert isinstance(result, Claim)
    return result


def succeed(job: Job, artifact: ArtifactType, now: datetime, generation: int = 0) -> Changed:
    """Claim the step and record its success, as a worker would."""
    claim(job, artifact, now, generation)
    done = lifecycle.record_success(step(artifact, generation), now, cached=False, usage=USAGE)(job)
    assert done.applied
    return done


# --- claim_step ------------------------------------------------------------------------------------------------


def test_a_claim_takes_a_queued_step_counts_the_attempt_and_sets_a_lease() -> None:
    job = make_job()
    version = job.version

    result = lifecycle.claim_step(step(OUTLINE), at(5), LEASE)(job)

    assert result == Claim(attempt=1)
    state = job.steps[OUTLINE]
    assert state.status is StepStatus.RUNNING
    assert state.attempts == 1
    assert state.lease_until == at(5 + LEASE)
    assert state.started_at == at(5)
    assert job.status is JobStatus.RUNNING
    assert job.version == version + 1
    assert job.steps[FAQ].status is StepStatus.PENDING


def test_a_claim_of_a_step_whose_lease_expired_takes_it_again_as_a_new_attempt() -> None:
    job = make_job()
    claim(job, OUTLINE, at(0))

    result = lifecycle.claim_step(step(OUTLINE), at(LEASE + 1), LEASE)(job)

    assert result == Claim(attempt=2)
    state = job.steps[OUTLINE]
    assert state.attempts == 2
    assert state.lease_until == at(2 * LEASE + 1)
    assert state.started_at == at(0)  # when it was first started


def test_a_claim_under_another_workers_unexpired_lease_is_busy_for_the_rest_of_the_lease() -> None:
    job = make_job()
    claim(job, OUTLINE, at(0))
    before = job.model_copy(deep=True)

    result = lifecycle.claim_step(step(OUTLINE), at(10), LEASE)(job)

    assert result == Busy(seconds=LEASE - 10)
    assert job == before


def _pending(job: Job) -> Step:
    return step(FAQ)


def _finished(job: Job) -> Step:
    job.steps[OUTLINE] = succeeded()
    job.refresh(T0)
    return step(OUTLINE)


def _failed(job: Job) -> Step:
    job.steps[OUTLINE] = failed()
    job.refresh(T0)
    return step(OUTLINE)


def _cancelled(job: Job) -> Step:
    assert lifecycle.cancel(T0)(job).applied
    return step(OUTLINE)


def _stale_generation(job: Job) -> Step:
    job.steps[OUTLINE] = StepState(status=StepStatus.QUEUED, generation=1)
    job.refresh(T0)
    return step(OUTLINE, generation=0)


def _not_requested(job: Job) -> Step:
    return step(ArtifactType.PODCAST_SCRIPT)


@pytest.mark.parametrize(
    "arrange",
    [_pending, _finished, _failed, _cancelled, _stale_generation, _not_requested],
    ids=["pending", "finished", "failed", "cancelled", "stale-generation", "not-requested"],
)
def test_a_claim_with_nothing_to_do_answers_none_and_changes_nothing(arrange: Callable[[Job], Step]) -> None:
    job = make_job()
    target = arrange(job)
    before = job.model_copy(deep=True)

    assert lifecycle.claim_step(target, at(1), LEASE)(job) is None
    assert job == before


# --- record_success --------------------------------------------------------------------------------------------


def test_the_outlines_success_releases_the_pending_steps() -> None:
    job = make_job()
    claim(job, OUTLINE, at(0))
    version = job.version

    done = lifecycle.record_success(step(OUTLINE), at(3), cached=True, usage=USAGE)(job)

    assert done == Changed(applied=True, released=(step(FAQ), step(FLASHCARDS)), finished=None)
    outline = job.steps[OUTLINE]
    assert outline.status is StepStatus.SUCCEEDED
    assert outline.cached is True
    assert outline.usage == USAGE
    assert outline.lease_until is None
    assert outline.finished_at == at(3)
    assert job.steps[FAQ].status is StepStatus.QUEUED
    assert job.steps[FLASHCARDS].status is StepStatus.QUEUED
    assert job.status is JobStatus.RUNNING
    assert job.version == version + 1


def test_the_outlines_success_releases_dependents_under_their_generation() -> None:
    job = make_job({OUTLINE: running(generation=2), FAQ: StepState(generation=2), FLASHCARDS: StepState(generation=2)})

    done = lifecycle.record_success(step(OUTLINE, 2), at(1), cached=False, usage=USAGE)(job)

    assert done.released == (step(FAQ, 2), step(FLASHCARDS, 2))


def test_a_success_other_than_the_outlines_releases_nothing() -> None:
    job = make_job()
    succeed(job, OUTLINE, at(0))
    claim(job, FAQ, at(1))

    done = lifecycle.record_success(step(FAQ), at(2), cached=False, usage=USAGE)(job)

    assert done == Changed(applied=True, released=(), finished=None)
    assert job.steps[FAQ].status is StepStatus.SUCCEEDED
    assert job.steps[FLASHCARDS].status is StepStatus.QUEUED
    assert job.status is JobStatus.RUNNING
    assert job.finished_at is None


def test_the_last_steps_success_finishes_the_job_as_succeeded() -> None:
    job = make_job()
    succeed(job, OUTLINE, at(0))
    succeed(job, FAQ, at(1))
    claim(job, FLASHCARDS, at(2))

    done = lifecycle.record_success(step(FLASHCARDS), at(3), cached=False, usage=USAGE)(job)

    assert done == Changed(applied=True, released=(), finished=JobStatus.SUCCEEDED)
    assert job.status is JobStatus.SUCCEEDED
    assert job.finished_at == at(3)
    assert job.error is None
    assert job.usage == Usage(input_tokens=30, output_tokens=60, llm_calls=3, cost_usd=0.006)


def test_the_last_steps_success_after_a_failure_finishes_the_job_as_partial() -> None:
    job = make_job({OUTLINE: succeeded(), FAQ: failed(), FLASHCARDS: running()})

    done = lifecycle.record_success(step(FLASHCARDS), at(3), cached=False, usage=USAGE)(job)

    assert done.finished is JobStatus.PARTIAL
    assert job.status is JobStatus.PARTIAL
    assert job.error is None


def test_an_outline_only_job_finishes_with_its_outline_and_releases_nothing() -> None:
    job = make_job({OUTLINE: running()})

    done = lifecycle.record_success(step(OUTLINE), at(1), cached=False, usage=USAGE)(job)

    assert done == Changed(applied=True, released=(), finished=JobStatus.SUCCEEDED)


# --- changes by a worker that no longer holds the step ----------------------------------------------------------


def _success(target: Step) -> Callable[[Job], Changed]:
    return lifecycle.record_success(target, at(9), cached=False, usage=USAGE)


def _failure(target: Step) -> Callable[[Job], Changed]:
    return lifecycle.record_failure(target, at(9), BROKEN, USAGE)


def _release(target: Step) -> Callable[[Job], Changed]:
    return lifecycle.release_for_retry(target, at(9), OVERLOADED)


def _held_then_cancelled(job: Job) -> Step:
    claim(job, OUTLINE, at(0))
    assert lifecycle.cancel(at(1))(job).applied
    return step(OUTLINE)


def _held_then_superseded(job: Job) -> Step:
    """The worker's generation was cancelled and retried; a new generation is now running."""
    claim(job, OUTLINE, at(0))
    assert lifecycle.cancel(at(1))(job).applied
    assert lifecycle.retry_failed(at(2))(job).applied
    claim(job, OUTLINE, at(3), generation=1)
    return step(OUTLINE, generation=0)


def _never_claimed(job: Job) -> Step:
    return step(OUTLINE)


def _already_recorded(job: Job) -> Step:
    succeed(job, OUTLINE, at(0))
    return step(OUTLINE)


@pytest.mark.parametrize("make_change", [_success, _failure, _release], ids=["success", "failure", "release"])
@pytest.mark.parametrize(
    "arrange",
    [_held_then_cancelled, _held_then_superseded, _never_claimed, _already_recorded],
    ids=["cancelled-job", "stale-generation", "never-claimed", "already-recorded"],
)
def test_a_change_on_a_step_the_worker_no_longer_holds_is_not_applied(
    arrange: Callable[[Job], Step], make_change: Callable[[Step], Callable[[Job], Changed]]
) -> None:
    job = make_job()
    target = arrange(job)
    before = job.model_copy(deep=True)

    done = make_change(target)(job)

    assert done == Changed(applied=False)
    assert done.released == ()
    assert done.finished is None
    assert job == before
    assert job.version == before.version


# --- record_failure --------------------------------------------------------------------------------------------


def test_a_failed_outline_fails_its_dependents_and_the_job() -> None:
    job = make_job()
    claim(job, OUTLINE, at(0))
    version = job.version

    done = lifecycle.record_failure(step(OUTLINE), at(4), BROKEN, USAGE)(job)

    assert done == Changed(applied=True, released=(), finished=JobStatus.FAILED)
    outline = job.steps[OUTLINE]
    assert outline.status is StepStatus.FAILED
    assert outline.error == BROKEN
    assert outline.usage == USAGE
    assert outline.lease_until is None
    assert outline.finished_at == at(4)
    for dependent in (FAQ, FLASHCARDS):
        state = job.steps[dependent]
        assert state.status is StepStatus.FAILED
        assert state.error is not None
        assert state.error.code == "outline_failed"
        assert state.finished_at == at(4)
        assert state.attempts == 0
    assert job.status is JobStatus.FAILED
    assert job.error == BROKEN
    assert job.finished_at == at(4)
    assert job.version == version + 1


def test_a_failed_dependent_fails_alone() -> None:
    job = make_job({OUTLINE: succeeded(), FAQ: running(), FLASHCARDS: StepState(status=StepStatus.QUEUED)})

    done = lifecycle.record_failure(step(FAQ), at(4), BROKEN)(job)

    assert done == Changed(applied=True, released=(), finished=None)
    assert job.steps[FAQ].status is StepStatus.FAILED
    assert job.steps[FAQ].error == BROKEN
    assert job.steps[FAQ].usage is None
    assert job.steps[FLASHCARDS].status is StepStatus.QUEUED
    assert job.status is JobStatus.RUNNING


def test_the_last_steps_failure_after_a_success_finishes_the_job_as_partial() -> None:
    job = make_job({OUTLINE: succeeded(), FAQ: succeeded(), FLASHCARDS: running()})

    done = lifecycle.record_failure(step(FLASHCARDS), at(4), BROKEN)(job)

    assert done.finished is JobStatus.PARTIAL
    assert job.error is None


# --- release_for_retry -----------------------------------------------------------------------------------------


def test_release_for_retry_queues_the_step_again_keeping_the_error() -> None:
    job = make_job()
    claim(job, OUTLINE, at(0))
    version = job.version

    done = lifecycle.release_for_retry(step(OUTLINE), at(2), OVERLOADED)(job)

    assert done == Changed(applied=True, released=(), finished=None)
    state = job.steps[OUTLINE]
    assert state.status is StepStatus.QUEUED
    assert state.error == OVERLOADED
    assert state.lease_until is None
    assert state.attempts == 1
    assert job.version == version + 1
    # The queue delivers it again: the next claim is the second attempt, with no wait for the old lease.
    assert lifecycle.claim_step(step(OUTLINE), at(3), LEASE)(job) == Claim(attempt=2)


# --- cancel ----------------------------------------------------------------------------------------------------


def test_cancel_cancels_every_unfinished_step_and_finishes_the_job() -> None:
    job = make_job({OUTLINE: succeeded(), FAQ: running(), FLASHCARDS: StepState(status=StepStatus.QUEUED)})
    version = job.version

    done = lifecycle.cancel(at(5))(job)

    assert done == Changed(applied=True, released=(), finished=JobStatus.CANCELLED)
    assert job.cancel_requested is True
    assert job.steps[OUTLINE] == succeeded()
    for artifact in (FAQ, FLASHCARDS):
        state = job.steps[artifact]
        assert state.status is StepStatus.CANCELLED
        assert state.lease_until is None
        assert state.finished_at == at(5)
    assert job.status is JobStatus.CANCELLED
    assert job.finished_at == at(5)
    assert job.version == version + 1


def test_a_second_cancel_is_not_applied() -> None:
    job = make_job()
    assert lifecycle.cancel(at(1))(job).applied
    before = job.model_copy(deep=True)

    assert lifecycle.cancel(at(2))(job) == Changed(applied=False)
    assert job == before


def test_cancel_of_a_job_its_steps_finished_is_not_applied() -> None:
    job = make_job({OUTLINE: succeeded(), FAQ: failed()})
    before = job.model_copy(deep=True)

    assert lifecycle.cancel(at(2))(job) == Changed(applied=False)
    assert job == before
    assert job.status is JobStatus.PARTIAL


# --- retry_failed ----------------------------------------------------------------------------------------------


def test_retry_after_a_failed_outline_queues_the_outline_and_makes_its_dependents_wait() -> None:
    job = make_job()
    claim(job, OUTLINE, at(0))
    assert lifecycle.record_failure(step(OUTLINE), at(1), BROKEN, USAGE)(job).finished is JobStatus.FAILED
    version = job.version

    done = lifecycle.retry_failed(at(2))(job)

    assert done == Changed(applied=True, released=(step(OUTLINE, 1),), finished=None)
    outline = job.steps[OUTLINE]
    assert outline == StepState(
        status=StepStatus.QUEUED, generation=1, usage=USAGE, queued_at=at(2)
    )  # what it spent stays spent
    for dependent in (FAQ, FLASHCARDS):
        assert job.steps[dependent] == StepState(status=StepStatus.PENDING, generation=1)
    assert job.status is JobStatus.QUEUED
    assert job.error is None
    assert job.finished_at is None
    assert job.version == version + 1
    # The new generation runs; the dependents are released by the new outline's success.
    assert succeed(job, OUTLINE, at(3), generation=1).released == (step(FAQ, 1), step(FLASHCARDS, 1))


def test_retry_of_failed_dependents_releases_them_and_keeps_what_succeeded() -> None:
    job = make_job({OUTLINE: succeeded(), FAQ: failed(), FLASHCARDS: succeeded()})
    status_before = job.status
    assert status_before is JobStatus.PARTIAL

    done = lifecycle.retry_failed(at(2))(job)

    assert done == Changed(applied=True, released=(step(FAQ, 1),), finished=None)
    assert job.steps[FAQ] == StepState(status=StepStatus.QUEUED, generation=1, queued_at=at(2))
    assert job.steps[OUTLINE] == succeeded()
    assert job.steps[FLASHCARDS] == succeeded()
    assert job.status is JobStatus.RUNNING


def test_retry_after_cancel_runs_the_cancelled_steps_under_a_new_generation() -> None:
    job = make_job({OUTLINE: succeeded(), FAQ: running(), FLASHCARDS: StepState(status=StepStatus.QUEUED)})
    assert lifecycle.cancel(at(1))(job).finished is JobStatus.CANCELLED

    done = lifecycle.retry_failed(at(2))(job)

    assert done.applied
    assert done.released == (step(FAQ, 1), step(FLASHCARDS, 1))
    assert job.cancel_requested is False
    assert job.status is JobStatus.RUNNING
    assert job.finished_at is None
    assert lifecycle.claim_step(step(FAQ, 0), at(3), LEASE)(job) is None  # the old delivery is stale
    assert lifecycle.claim_step(step(FAQ, 1), at(3), LEASE)(job) == Claim(attempt=1)


def test_retry_with_nothing_failed_or_cancelled_is_not_applied() -> None:
    job = make_job({OUTLINE: succeeded(), FAQ: succeeded()})
    before = job.model_copy(deep=True)

    assert lifecycle.retry_failed(at(2))(job) == Changed(applied=False)
    assert job == before


# --- resumable -------------------------------------------------------------------------------------------------


def test_resumable_frees_running_steps_and_releases_every_queued_one() -> None:
    job = make_job(
        {
            OUTLINE: succeeded(),
            FAQ: running(generation=1),
            FLASHCARDS: StepState(status=StepStatus.QUEUED, generation=2),
            ArtifactType.ONE_PAGER: failed(),
        }
    )
    version = job.version

    done = lifecycle.resumable(at(3))(job)

    assert done == Changed(applied=True, released=(step(FAQ, 1), step(FLASHCARDS, 2)), finished=None)
    assert job.steps[FAQ].status is StepStatus.QUEUED
    assert job.steps[FAQ].lease_until is None
    assert job.steps[FAQ].attempts == 1
    assert job.steps[FLASHCARDS].status is StepStatus.QUEUED
    assert job.steps[OUTLINE] == succeeded()
    assert job.steps[ArtifactType.ONE_PAGER] == failed()
    assert job.version == version + 1
    # The freed step can be taken at once, though the dead process's lease had not ended.
    assert lifecycle.claim_step(step(FAQ, 1), at(4), LEASE)(job) == Claim(attempt=2)


def test_resumable_does_not_release_steps_waiting_for_the_outline() -> None:
    job = make_job({OUTLINE: running(), FAQ: StepState(), FLASHCARDS: StepState()})

    done = lifecycle.resumable(at(3))(job)

    assert done.released == (step(OUTLINE),)
    assert job.steps[FAQ].status is StepStatus.PENDING


# --- every change ----------------------------------------------------------------------------------------------


def test_every_applied_change_counts_one_version() -> None:
    job = make_job()
    versions = [job.version]
    changes: list[Callable[[Job], Any]] = [
        lifecycle.claim_step(step(OUTLINE), at(0), LEASE),
        lifecycle.release_for_retry(step(OUTLINE), at(1), OVERLOADED),
        lifecycle.claim_step(step(OUTLINE), at(2), LEASE),
        lifecycle.record_success(step(OUTLINE), at(3), cached=False, usage=USAGE),
        lifecycle.claim_step(step(FAQ), at(4), LEASE),
        lifecycle.record_failure(step(FAQ), at(5), BROKEN),
        lifecycle.cancel(at(6)),
        lifecycle.retry_failed(at(7)),
        lifecycle.claim_step(step(FAQ, 1), at(8), LEASE),
        lifecycle.resumable(at(9)),
    ]
    for change in changes:
        result = change(job)
        assert result is not None
        assert not isinstance(result, Busy)
        assert isinstance(result, Claim) or result.applied
        versions.append(job.version)

    assert versions == list(range(versions[0], versions[0] + len(changes) + 1))
    assert job.updated_at == at(9)


def test_usage_is_added_whatever_became_of_the_step() -> None:
    job = make_job()
    claim(job, OUTLINE, at(0))
    lifecycle.cancel(at(1))(job)
    version = job.version
    done = lifecycle.add_usage(OUTLINE, at(2), USAGE)(job)
    assert done.applied and done.finished is None
    lifecycle.add_usage(OUTLINE, at(3), USAGE)(job)
    assert job.steps[OUTLINE].usage == USAGE + USAGE
    assert job.usage == USAGE + USAGE
    assert job.version == version + 2
    outline_only = make_job({OUTLINE: StepState(status=StepStatus.QUEUED)})
    assert lifecycle.add_usage(FAQ, at(4), USAGE)(outline_only) == Changed(applied=False)  # not asked for


def test_resumable_with_nothing_running_leaves_the_job_as_it_was() -> None:
    job = make_job()
    before = job.model_copy(deep=True)
    done = lifecycle.resumable(at(3))(job)
    assert done == Changed(applied=False, released=(step(OUTLINE),))
    assert job == before


def _claim_case() -> tuple[Job, Callable[[Job], Any]]:
    return make_job(), lifecycle.claim_step(step(OUTLINE), at(1), LEASE)


def _busy_case() -> tuple[Job, Callable[[Job], Any]]:
    return make_job({OUTLINE: running()}), lifecycle.claim_step(step(OUTLINE), at(1), LEASE)


def _outline_success_case() -> tuple[Job, Callable[[Job], Any]]:
    job = make_job({OUTLINE: running(), FAQ: StepState(), FLASHCARDS: StepState()})
    return job, lifecycle.record_success(step(OUTLINE), at(1), cached=True, usage=USAGE)


def _last_success_case() -> tuple[Job, Callable[[Job], Any]]:
    job = make_job({OUTLINE: succeeded(), FAQ: succeeded(), FLASHCARDS: running()})
    return job, lifecycle.record_success(step(FLASHCARDS), at(1), cached=False, usage=USAGE)


def _outline_failure_case() -> tuple[Job, Callable[[Job], Any]]:
    job = make_job({OUTLINE: running(), FAQ: StepState(), FLASHCARDS: StepState()})
    return job, lifecycle.record_failure(step(OUTLINE), at(1), BROKEN, USAGE)


def _release_case() -> tuple[Job, Callable[[Job], Any]]:
    return make_job({OUTLINE: running()}), lifecycle.release_for_retry(step(OUTLINE), at(1), OVERLOADED)


def _cancel_case() -> tuple[Job, Callable[[Job], Any]]:
    job = make_job({OUTLINE: succeeded(), FAQ: running(), FLASHCARDS: StepState(status=StepStatus.QUEUED)})
    return job, lifecycle.cancel(at(1))


def _retry_case() -> tuple[Job, Callable[[Job], Any]]:
    job = make_job(
        {OUTLINE: failed(), FAQ: failed(lifecycle.OUTLINE_FAILED), FLASHCARDS: failed(lifecycle.OUTLINE_FAILED)}
    )
    return job, lifecycle.retry_failed(at(1))


def _expire_case() -> tuple[Job, Callable[[Job], Any]]:
    job = make_job({OUTLINE: succeeded(), FAQ: running(), FLASHCARDS: StepState(status=StepStatus.QUEUED)})
    return job, lifecycle.expire(at(100), 60)


def _recover_case() -> tuple[Job, Callable[[Job], Any]]:
    job = make_job({OUTLINE: succeeded(), FAQ: running(), FLASHCARDS: StepState(status=StepStatus.QUEUED)})
    return job, lifecycle.recover(at(LEASE + 1), 10)


def _resumable_case() -> tuple[Job, Callable[[Job], Any]]:
    job = make_job({OUTLINE: succeeded(), FAQ: running(), FLASHCARDS: StepState(status=StepStatus.QUEUED)})
    return job, lifecycle.resumable(at(1))


@pytest.mark.parametrize(
    "case",
    [
        _claim_case,
        _busy_case,
        _outline_success_case,
        _last_success_case,
        _outline_failure_case,
        _release_case,
        _cancel_case,
        _retry_case,
        _resumable_case,
        _expire_case,
        _recover_case,
    ],
    ids=[
        "claim",
        "busy",
        "outline-success",
        "last-success",
        "outline-failure",
        "release",
        "cancel",
        "retry",
        "resumable",
        "expire",
        "recover",
    ],
)
def test_a_change_applied_again_to_fresh_data_gives_the_same_result(
    case: Callable[[], tuple[Job, Callable[[Job], Any]]],
) -> None:
    """A store retries a transaction on contention: the same change runs again on a fresh read of the job."""
    job, change = case()
    first, second = job.model_copy(deep=True), job.model_copy(deep=True)

    first_result = change(first)
    second_result = change(second)

    assert first_result == second_result
    assert first == second
    assert first != job or isinstance(first_result, Busy)  # the change did something to each copy


def test_expire_fails_the_open_steps_of_a_job_past_its_deadline_by_name() -> None:
    job = make_job({OUTLINE: succeeded(), FAQ: running(), FLASHCARDS: StepState(status=StepStatus.QUEUED)})

    done = lifecycle.expire(at(61), 60)(job)

    assert done == Changed(applied=True, finished=JobStatus.PARTIAL)
    for artifact in (FAQ, FLASHCARDS):
        state = job.steps[artifact]
        assert state.status is StepStatus.FAILED and state.lease_until is None and state.finished_at == at(61)
        assert state.error is not None and state.error.code == lifecycle.JOB_DEADLINE
        assert "60 seconds" in state.error.message
    assert job.steps[OUTLINE] == succeeded()  # what finished stays as it was
    # The worker still running the FAQ has lost its claim: it writes nothing.
    assert lifecycle.record_success(step(FAQ), at(62), cached=False, usage=USAGE, attempt=1)(job) == lifecycle.UNCHANGED


def test_expire_leaves_a_job_inside_its_deadline_or_finished_alone() -> None:
    young = make_job({OUTLINE: running()})
    assert lifecycle.expire(at(60), 60)(young) == lifecycle.UNCHANGED
    assert young.steps[OUTLINE].status is StepStatus.RUNNING
    finished = make_job({OUTLINE: succeeded(), FAQ: failed()})
    assert lifecycle.expire(at(6000), 60)(finished) == lifecycle.UNCHANGED


def test_recover_enqueues_a_step_under_an_expired_lease_at_once_under_a_new_task_name() -> None:
    job = make_job({OUTLINE: succeeded(), FAQ: running(lease_until=at(10)), FLASHCARDS: running(lease_until=at(40))})

    recovered = lifecycle.recover(at(11), 900)(job)

    assert recovered.reasons == (lifecycle.LEASE_EXPIRED,)
    assert recovered.changed.released == (Step(JOB_ID, FAQ, 0, recovery=1),)
    assert recovered.changed.released[0].task_name == f"{JOB_ID}-faq-g0-r1"
    faq = job.steps[FAQ]
    assert faq.status is StepStatus.QUEUED and faq.lease_until is None and faq.queued_at == at(11)
    assert job.steps[FLASHCARDS].status is StepStatus.RUNNING  # its holder is alive: its lease still runs
    # The dead worker's claim is gone: if it was only slow, it writes nothing.
    assert lifecycle.renew_lease(step(FAQ), 1, at(12), LEASE)(job) is False


def test_recover_enqueues_a_step_queued_too_long_and_leaves_a_recent_one() -> None:
    job = make_job(
        {
            OUTLINE: succeeded(),
            FAQ: StepState(status=StepStatus.QUEUED, queued_at=at(0), recoveries=1),
            FLASHCARDS: StepState(status=StepStatus.QUEUED, queued_at=at(50)),
        }
    )

    recovered = lifecycle.recover(at(100), 60)(job)

    assert recovered.reasons == (lifecycle.NOT_DELIVERED,)
    assert recovered.changed.released == (Step(JOB_ID, FAQ, 0, recovery=2),)
    assert job.steps[FAQ].queued_at == at(100)
    assert job.steps[FLASHCARDS].queued_at == at(50)


def test_recover_leaves_pending_finished_and_cancelled_work_alone() -> None:
    waiting = make_job({OUTLINE: running(lease_until=at(500)), FAQ: StepState()})
    assert lifecycle.recover(at(100), 1)(waiting) == lifecycle.Recovered(lifecycle.UNCHANGED)
    cancelled = make_job({OUTLINE: succeeded(), FAQ: running(lease_until=at(1))}, cancel_requested=True)
    assert lifecycle.recover(at(100), 1)(cancelled) == lifecycle.Recovered(lifecycle.UNCHANGED)


def test_steps_made_runnable_are_stamped_so_the_sweeper_can_tell_a_lost_one() -> None:
    job = make_job()
    claim(job, OUTLINE, at(1))
    done = lifecycle.record_success(step(OUTLINE), at(2), cached=False, usage=USAGE)(job)
    assert {s.artifact for s in done.released} == {FAQ, FLASHCARDS}
    assert job.steps[FAQ].queued_at == at(2)
    claim(job, FAQ, at(3))
    lifecycle.release_for_retry(step(FAQ), at(4), OVERLOADED)(job)
    assert job.steps[FAQ].queued_at == at(4)


def test_a_claim_records_which_worker_holds_the_step() -> None:
    job = make_job()
    assert isinstance(lifecycle.claim_step(step(OUTLINE), at(1), LEASE, "host-a:12")(job), Claim)
    assert job.steps[OUTLINE].worker == "host-a:12"
