"""End-to-end fixtures: real uvicorn processes on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from e2e.server import Server

if TYPE_CHECKING:
    from e2e.cloud import Cloud
from tests.fixtures.services import CloudTasksEmulator, FirestoreEmulator, GcsEmulator, RedisServer

KEY = "cf_e2e_admin_key_abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(
        {
            "CF_SQLITE_PATH": str(tmp_path / "e2e.db"),
            "CF_STORAGE_DIR": str(tmp_path / "storage"),
            "CF_BOOTSTRAP_ADMIN_KEY": KEY,
            "CF_ENVIRONMENT": "test",
        },
        tmp_path / "server.log",
    )
    running.start()
    yield running
    running.stop()


@pytest.fixture
def cloud(
    tmp_path: Path,
    firestore_emulator: FirestoreEmulator,
    tasks_emulator: CloudTasksEmulator,
    redis_server: RedisServer,
    gcs_emulator: GcsEmulator,
) -> Iterator[Cloud]:
    from e2e.cloud import Cloud  # it imports KEY from here

    running = Cloud(tmp_path, firestore_emulator, tasks_emulator, redis_server, gcs_emulator)
    yield running
    running.stop()
