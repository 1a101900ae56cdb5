"""scripts/smoke.py, the deployment's smoke test, against a real uvicorn on embedded defaults and against a
deployment that is not ready; and the smoke step of cloudbuild.yaml as written, with gcloud stood in for."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from e2e.server import Server
from tests.fixtures.local_http import serve
from tests.infra.test_cloudbuild import ROOT, load, render, step

pytestmark = pytest.mark.e2e

KEY = "cf_smoke_admin_key_abcdefghijklmnopqrstuvwxyz0123456789"
SMOKE = ROOT / "scripts" / "smoke.py"


def smoke(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SMOKE), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("smoke")
    running = Server(
        {
            "CF_SQLITE_PATH": str(folder / "smoke.db"),
            "CF_STORAGE_DIR": str(folder / "storage"),
            "CF_BOOTSTRAP_ADMIN_KEY": KEY,
            "CF_ENVIRONMENT": "test",
        },
        folder / "server.log",
    )
    running.start()
    yield running
    running.stop()


class NotReady(BaseHTTPRequestHandler):
    """A deployment whose process is up but whose store is not: /healthz 200, everything else 503."""

    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        NotReady.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        ok = self.path == "/healthz"
        body = json.dumps({"status": "ok"} if ok else {"status": "not_ready", "checks": {"store": "unavailable"}})
        self.send_response(200 if ok else 503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: object) -> None:
        return


def test_passes_against_a_running_service(server: Server) -> None:
    result = smoke(server.url, env={"SMOKE_API_KEY": KEY})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok  GET /healthz" in result.stdout
    assert "ok  GET /readyz" in result.stdout
    assert "succeeded" in result.stdout
    assert f"smoke test passed against {server.url}" in result.stdout


def test_fails_when_the_service_is_not_ready() -> None:
    NotReady.seen.clear()
    with serve(NotReady) as url:
        result = smoke(url, "--api-key", KEY, "--identity-token", "id-token-for-the-invoker")

    assert result.returncode == 1
    assert "smoke test FAILED" in result.stderr
    assert "GET /readyz" in result.stderr and "expected HTTP 200, got 503" in result.stderr
    assert "unavailable" in result.stderr  # what the deployment said about itself
    # Cloud Run checks X-Serverless-Authorization; the app sees only the API key.
    assert NotReady.seen[0]["x-serverless-authorization"] == "Bearer id-token-for-the-invoker"
    assert NotReady.seen[0]["x-api-key"] == KEY
    assert "authorization" not in NotReady.seen[0]


def test_fails_with_a_key_the_service_refuses(server: Server) -> None:
    result = smoke(server.url, "--api-key", "cf_not_a_key_of_this_service_0123456789abcdefghij")

    assert result.returncode == 1
    assert "POST /v1/jobs: expected HTTP 202, got 401" in result.stderr


def test_fails_without_an_api_key() -> None:
    result = smoke("http://127.0.0.1:9", env={"SMOKE_API_KEY": ""})

    assert result.returncode == 1
    assert "no API key" in result.stderr


def test_fails_when_nothing_answers() -> None:
    result = smoke("http://127.0.0.1:9", "--api-key", KEY, "--request-timeout", "5")

    assert result.returncode == 1
    assert "GET /healthz: no answer from http://127.0.0.1:9" in result.stderr


def test_the_cloudbuild_smoke_step_finds_the_tagged_url_and_passes(server: Server, tmp_path: Path) -> None:
    """The step's own script: it reads the tag's URL from the service, asks gcloud for an ID token for the
    service's URL, and runs the smoke test there. Here gcloud answers for a service whose tag is the local server."""
    build = load()
    tag = render("c-$SHORT_SHA", build)
    service_url = "https://content-factory-stub-uc.a.run.app"
    described = {
        "status": {
            "url": service_url,
            "traffic": [{"percent": 100, "revisionName": "content-factory-00001"}, {"tag": tag, "url": server.url}],
        }
    }
    stubs = tmp_path / "bin"
    stubs.mkdir()
    calls = tmp_path / "gcloud-calls.txt"
    gcloud = stubs / "gcloud"
    gcloud.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {calls}\n'
        'case "$1 $2 $3" in\n'
        f"  'run services describe') cat <<'JSON'\n{json.dumps(described)}\nJSON\n  ;;\n"
        "  'auth print-identity-token '*) echo stub-identity-token ;;\n"
        '  *) echo "unexpected: gcloud $*" >&2; exit 2 ;;\n'
        "esac\n"
    )
    gcloud.chmod(gcloud.stat().st_mode | stat.S_IEXEC)
    script = render(step(build, "smoke")["args"][-1], build).replace("/workspace", str(tmp_path))

    result = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}", "SMOKE_API_KEY": KEY},
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"smoke test passed against {server.url}" in result.stdout
    assert f"--audiences={service_url}" in calls.read_text()
