"""``make audit`` never prints a pass it did not earn: with the vulnerability service out of reach (forced here
through a dead proxy, so the result does not depend on this machine's network) it fails loudly, for either
service, and says that nothing was audited."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("uv") is None, reason="make install puts uv on PATH")
@pytest.mark.parametrize("service", ["pypi", "osv"])
def test_the_audit_fails_loudly_when_the_service_is_unreachable(service: str) -> None:
    dead = "http://127.0.0.1:9"
    env = {**os.environ, "HTTPS_PROXY": dead, "HTTP_PROXY": dead, "https_proxy": dead, "CF_AUDIT_SERVICE": service}
    env.pop("NO_PROXY", None)
    env.pop("no_proxy", None)
    result = subprocess.run(
        ["bash", "scripts/audit.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "DEPENDENCY AUDIT FAILED" in output and "NOTHING WAS AUDITED" in output
    assert "No known vulnerabilities" not in output and "audit passed" not in output
