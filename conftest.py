"""Fixtures shared by tests/ and e2e/: real local services, one of each per test session, on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.fixtures.services import (
    CloudTasksEmulator,
    FirebaseAuthEmulator,
    FirestoreEmulator,
    GcsEmulator,
    PubSubEmulator,
    RedisServer,
    ServiceNotInstalled,
)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="session")
def firestore_emulator() -> Iterator[FirestoreEmulator]:
    with FirestoreEmulator() as emulator:
        os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host  # read by the Firestore client itself
        yield emulator
        os.environ.pop("FIRESTORE_EMULATOR_HOST", None)


@pytest.fixture(scope="session")
def tasks_emulator() -> Iterator[CloudTasksEmulator]:
    with CloudTasksEmulator(queue="steps", extra_queues=("steps-a", "steps-b"), max_retries=200) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def firebase_auth_emulator() -> Iterator[FirebaseAuthEmulator]:
    with FirebaseAuthEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="session")
def gcs_emulator() -> Iterator[GcsEmulator]:
    with GcsEmulator() as emulator:
        previous = os.environ.get("STORAGE_EMULATOR_HOST")
        os.environ["STORAGE_EMULATOR_HOST"] = emulator.url  # read by the Cloud Storage client itself
        try:
            yield emulator
        finally:
            if previous is None:
                os.environ.pop("STORAGE_EMULATOR_HOST", None)
            else:
                os.environ["STORAGE_EMULATOR_HOST"] = previous


@pytest.fixture(scope="session")
def pubsub_emulator() -> Iterator[PubSubEmulator]:
    """Skipped where the emulator (or java) is missing, except in CI (``CI=true``), where that fails the run."""
    emulator = PubSubEmulator()
    try:
        emulator.start()
    except ServiceNotInstalled as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    previous = os.environ.get("PUBSUB_EMULATOR_HOST")
    os.environ["PUBSUB_EMULATOR_HOST"] = emulator.host  # read by the Pub/Sub client itself
    try:
        yield emulator
    finally:
        if previous is None:
            os.environ.pop("PUBSUB_EMULATOR_HOST", None)
        else:
            os.environ["PUBSUB_EMULATOR_HOST"] = previous
        emulator.stop()
