"""Where the suite finds the infrastructure checkers that scripts/services/install.sh puts in place, and one way
to run them: a missing tool is a failure that says how to install it, never a skip."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES_DIR = Path(os.environ.get("CF_SERVICES_DIR", str(ROOT / ".services")))
IAC_BIN = SERVICES_DIR / "iac-venv" / "bin"


def tool(name: str) -> str:
    """The path of checkov or hadolint (in .services/iac-venv), or of a Debian tool on PATH such as amtool."""
    local = IAC_BIN / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    assert found, f"{name} is missing: run `bash scripts/services/install.sh`"
    return found


def run(name: str, *args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a checker to completion and hand back what it said; the caller judges the exit code."""
    return subprocess.run([tool(name), *args], capture_output=True, text=True, timeout=timeout, check=False, cwd=cwd)
