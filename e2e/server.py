"""A real uvicorn process running the service, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_ready(process: subprocess.Popen[bytes], url: str, log_path: Path, *, polls: int = 300) -> None:
    """Poll ``url`` until it answers 200 (bounded), failing with the process's log if it exits or never does."""
    for _ in range(polls):
        if process.poll() is not None:
            raise RuntimeError(f"process exited: {log_path.read_text()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} never became ready: {log_path.read_text()}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not exited within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class Server:
    """``uvicorn --factory FACTORY`` on 127.0.0.1, with its output captured to a file."""

    def __init__(
        self,
        env: Mapping[str, str],
        log_path: Path,
        factory: str = "app.main:create_app",
        *,
        ready_path: str = "/healthz",
        port: int | None = None,
    ) -> None:
        self.port = port or free_port()
        self.ready_path = ready_path
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env}
        self.log_path = log_path
        self.factory = factory
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, polls: int = 300) -> None:
        command = [
            sys.executable, "-m", "uvicorn", "--factory", self.factory,
            "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
            "--timeout-graceful-shutdown", self.env.get("CF_SHUTDOWN_GRACE_SECONDS", "7"),
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        wait_until_ready(self.process, f"{self.url}{self.ready_path}", self.log_path, polls=polls)

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no chance to tidy up."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def terminate(self) -> float:
        """SIGTERM, as Cloud Run sends before it stops an instance; the seconds the process took to exit."""
        assert self.process is not None
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.process = None
        return time.monotonic() - began

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None
