"""Start the Cloud Tasks emulator (PyPI ``gcloud-tasks-emulator``) with its gRPC API bound to 127.0.0.1 only.

Upstream (0.6.2) ignores its host argument and binds ``[::]:PORT`` in ``server.APIThread.run``. This launcher
wraps ``grpc.server`` so that every port the emulator adds is bound on 127.0.0.1 instead, then hands over to
the emulator's own ``main()``: the command line is upstream's, unchanged::

    .services/tasks-venv/bin/python scripts/services/launcher_tasks.py start -p PORT \\
        -d projects/P/locations/L/queues/Q -r 3 [-H 127.0.0.1] [-t 80] [-q]

``-H`` (the host of App Engine tasks; HTTP tasks go to their own URL) defaults to 127.0.0.1 here rather than
upstream's ``localhost``. Run it with the emulator venv's python: the app venv has neither grpc nor the emulator.
A port that cannot be bound ends the process with exit code 3.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

LOOPBACK = "127.0.0.1"
BIND_FAILED = 3


def _loopback(address: str) -> str:
    """``[::]:9022`` / ``0.0.0.0:9022`` / ``localhost:9022`` -> ``127.0.0.1:9022``."""
    return f"{LOOPBACK}:{address.rsplit(':', 1)[-1]}"


def _bind_on_loopback() -> None:
    grpc: Any = importlib.import_module("grpc")
    make_server = grpc.server

    def server(*args: Any, **kwargs: Any) -> Any:
        srv = make_server(*args, **kwargs)
        add_port = srv.add_insecure_port

        def add_insecure_port(address: str) -> int:
            target = _loopback(address)
            try:
                bound = int(add_port(target))
            except RuntimeError as exc:  # grpcio >= 1.4x raises where older ones returned 0
                print(f"launcher_tasks: cannot bind {target}: {exc}", file=sys.stderr, flush=True)
                os._exit(BIND_FAILED)
            if bound == 0:
                print(f"launcher_tasks: cannot bind {target}", file=sys.stderr, flush=True)
                os._exit(BIND_FAILED)
            print(f"launcher_tasks: gRPC API bound to {LOOPBACK}:{bound}", file=sys.stderr, flush=True)
            return bound

        def add_secure_port(address: str, *_args: Any, **_kwargs: Any) -> int:
            raise RuntimeError(f"launcher_tasks: refusing a secure port on {address}")

        srv.add_insecure_port = add_insecure_port
        srv.add_secure_port = add_secure_port
        return srv

    grpc.server = server


def main(argv: list[str]) -> None:
    args = list(argv)
    if not any(a.startswith(("-H", "--target-host")) for a in args):
        args += ["-H", LOOPBACK]
    _bind_on_loopback()
    emulator: Any = importlib.import_module("gcloud_tasks_emulator.__main__")
    sys.argv = [sys.argv[0], *args]
    emulator.main()


if __name__ == "__main__":
    main(sys.argv[1:])
