"""``python -m app keys …`` on the store the settings name: the key printed once, then listed, revoked, rotated."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.__main__ import main
from app.config import Settings
from app.main import create_app
from tests.fixtures.app import MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cf.db"
    monkeypatch.setenv("CF_SQLITE_PATH", str(path))
    monkeypatch.setenv("CF_ENVIRONMENT", "test")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    capsys.readouterr()  # whatever came before (the app's own logs)
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


def status_with(settings: Settings, key: str) -> int:
    async def call() -> int:
        async for api in open_client(create_app(settings, generator=FakeGenerator())):
            return (await api.get("/v1/jobs", headers={"X-API-Key": key})).status_code
        raise AssertionError("unreachable")

    return asyncio.run(call())


def test_keys_made_on_the_command_line_work_against_the_api(
    store_env: Path, capsys: pytest.CaptureFixture[str], make_settings: MakeSettings
) -> None:
    code, created, err = run(
        capsys,
        "keys",
        "create",
        "--owner",
        "team-a",
        "--name",
        "cli",
        "--scope",
        "jobs:read",
        "--daily-token-budget",
        "9000",
    )
    assert code == 0 and "shown only now" in err
    assert created["key"].startswith("cf_") and created["scopes"] == ["jobs:read"]
    assert created["daily_token_budget"] == 9000

    code, listed, _ = run(capsys, "keys", "list")
    assert code == 0 and [k["id"] for k in listed["items"]] == [created["id"]]
    assert created["key"] not in json.dumps(listed)

    assert status_with(make_settings(sqlite_path=store_env), created["key"]) == 200

    code, rotated, _ = run(capsys, "keys", "rotate", created["id"])
    assert code == 0 and rotated["key"] != created["key"]
    code, shown, _ = run(capsys, "keys", "show", created["id"])
    assert code == 0 and shown["active"] is False and shown["replaced_by"] == rotated["id"]
    code, revoked, _ = run(capsys, "keys", "revoke", rotated["id"])
    assert code == 0 and revoked["active"] is False

    for key in (created["key"], rotated["key"]):
        assert status_with(make_settings(sqlite_path=store_env), key) == 401


def test_bad_arguments_are_reported_without_a_traceback(store_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "keys", "create", "--owner", "uid:x", "--name", "n")
    assert code == 2 and "owner" in err
    code, _, err = run(capsys, "keys", "revoke", "0" * 20)
    assert code == 1 and "No API key" in err
    code, _, err = run(capsys, "keys", "rotate", "0" * 20, "--grace-seconds", "-5")
    assert code == 1 and "grace" in err


def test_the_module_runs_as_a_program(store_env: Path) -> None:
    env = {**os.environ, "CF_SQLITE_PATH": str(store_env), "CF_ENVIRONMENT": "test"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "keys", "create", "--owner", "ops", "--name", "cron"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["key"].startswith("cf_")
