"""Real local services for tests, each started on 127.0.0.1 on a free port and killed on exit.

Install them first (idempotent): ``bash scripts/services/install.sh``. Then::

    with RedisServer() as redis:                         # redis-server --save '' --appendonly no
        redis.url                                        # "redis://127.0.0.1:PORT/0"
    with FirestoreEmulator(project="demo-test") as fs:   # gcloud SDK jar, else the npm stand-in
        fs.host, fs.which_impl, fs.documents_url("coll/id"), fs.reset()
    with CloudTasksEmulator(max_retries=2) as tasks:     # gcloud-tasks-emulator in .services/tasks-venv
        tasks.host, tasks.queue_path, tasks.create_http_task("http://127.0.0.1:PORT/hook", body=b"{}")

Each service writes its output to a temporary log file (``.log_path``); a service that does not become ready in
time (bounded polls) or exits early raises ``ServiceError`` with the end of that log. ``ServiceNotInstalled``
(a ``ServiceError``) says what is missing. Dependency-free: stdlib and httpx.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, ClassVar, Literal, NoReturn, Self

import httpx

LOOPBACK = "127.0.0.1"
REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS_DIR = REPO_ROOT / "scripts" / "services"
SERVICES_DIR = Path(os.environ.get("CF_SERVICES_DIR", str(REPO_ROOT / ".services")))
INSTALL_HINT = "run `bash scripts/services/install.sh`"
FIRESTORE_MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"
FIRESTORE_JAR_IN_SDK = Path("platform/cloud-firestore-emulator/cloud-firestore-emulator.jar")
FirestoreImpl = Literal["jar", "npm"]

_START_ATTEMPTS = 3  # fresh ports tried when a service exits early (e.g. a port taken meanwhile)
_POLL_INTERVAL = 0.05
_STOP_GRACE = 5.0
_LOG_TAIL = 8000


class ServiceError(RuntimeError):
    """A local service could not be started or used; the message ends with its log, kept at ``log_path``."""

    def __init__(self, message: str, log_path: Path | None = None) -> None:
        super().__init__(message)
        self.log_path = log_path


class ServiceNotInstalled(ServiceError):
    """What a service needs is missing from this machine."""


class _ExitedEarly(Exception):
    pass


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False


# --------------------------------------------------------------------------------------------------------------
# Base: one subprocess with a log file, a readiness poll and a bounded stop.


class LocalService:
    """A subprocess serving on 127.0.0.1. Use as a context manager, or call ``start()`` / ``stop()``."""

    name: ClassVar[str] = "service"

    def __init__(self, *, port: int | None = None, startup_timeout: float = 30.0, keep_log: bool = False) -> None:
        self._requested_port = port
        self.startup_timeout = startup_timeout
        self.keep_log = keep_log
        self._port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self.log_path: Path | None = None
        self.startup_seconds: float | None = None

    # -- what a subclass provides --------------------------------------------------------------------------------
    def _command(self, port: int) -> list[str]:
        raise NotImplementedError

    def _env(self) -> dict[str, str]:
        return dict(os.environ)

    def _workdir(self) -> Path:
        return REPO_ROOT

    def _ready(self) -> bool:
        """One quick readiness probe; called until it returns True or the startup timeout passes."""
        raise NotImplementedError

    def _shutdown_politely(self) -> bool:
        """Ask the service to stop before SIGTERM; True if it was asked (then it gets a grace period)."""
        return False

    # -- public -------------------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._port is None:
            raise ServiceError(f"{self.name} is not started")
        return self._port

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``."""
        return f"{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_text(self, limit: int = _LOG_TAIL) -> str:
        """The end of the service's log (at most ``limit`` characters)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        if self._log_file is not None:
            self._log_file.flush()
        data = self.log_path.read_bytes()
        return data[-limit:].decode("utf-8", errors="replace")

    def start(self) -> Self:
        if self._process is not None:
            raise ServiceError(f"{self.name} is already started")
        self._check_installed()
        attempts = 1 if self._requested_port is not None else _START_ATTEMPTS
        began = time.monotonic()
        for attempt in range(1, attempts + 1):
            port = self._requested_port if self._requested_port is not None else self._pick_ports()
            self._spawn(port)
            try:
                self._wait_ready()
            except _ExitedEarly:
                code = self._process.returncode if self._process is not None else None
                if attempt == attempts:
                    self._fail(f"{self.name} exited with code {code} before it was ready")
                self._discard_process()
                continue
            self.startup_seconds = time.monotonic() - began
            return self
        raise AssertionError("unreachable")  # pragma: no cover

    def stop(self) -> None:
        """Stop the process (politely, then SIGTERM, then SIGKILL); bounded in time. Idempotent."""
        _LIVE.discard(self)
        process = self._process
        if process is not None and process.poll() is None:
            asked = False
            with contextlib.suppress(Exception):
                asked = self._shutdown_politely()
            if asked:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=_STOP_GRACE)
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=_STOP_GRACE)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=_STOP_GRACE)
        self._process = None
        self._close_log(remove=not self.keep_log)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- internals ----------------------------------------------------------------------------------------------
    def _check_installed(self) -> None:
        """Raise ServiceNotInstalled when a binary is missing."""

    def _pick_ports(self) -> int:
        return free_port()

    def _spawn(self, port: int) -> None:
        self._port = port
        if self._log_file is None:
            fd, path = tempfile.mkstemp(prefix=f"cf-{self.name}-", suffix=".log")
            self.log_path = Path(path)
            self._log_file = os.fdopen(fd, "wb")
        else:
            self._log_file.write(f"\n--- restarting on port {port} ---\n".encode())
            self._log_file.flush()
        command = self._command(port)
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=self._log_file,
                stderr=subprocess.STDOUT,
                env=self._env(),
                cwd=self._workdir(),
            )
            _LIVE.add(self)  # from now on, stopped at interpreter exit at the latest
        except OSError as exc:
            self._port = None
            self._close_log(remove=True)
            raise ServiceNotInstalled(f"{self.name}: cannot run {command[0]!r} ({exc}); {INSTALL_HINT}") from exc

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            process = self._process
            assert process is not None
            if process.poll() is not None:
                raise _ExitedEarly
            with contextlib.suppress(OSError, httpx.HTTPError, ServiceError):
                if self._ready():
                    return
            if time.monotonic() >= deadline:
                self._fail(f"{self.name} was not ready within {self.startup_timeout:g} s")
            time.sleep(_POLL_INTERVAL)

    def _discard_process(self) -> None:
        process = self._process
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=_STOP_GRACE)
        self._process = None
        self._port = None

    def _fail(self, message: str) -> NoReturn:
        _LIVE.discard(self)
        self._discard_process()
        log = self.log_text()
        where = self.log_path
        self._close_log(remove=False)
        raise ServiceError(f"{message}; log {where}:\n{log}", where)

    def _close_log(self, *, remove: bool) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if remove and self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
            self.log_path = None


_LIVE: set[LocalService] = set()


@atexit.register
def _stop_all() -> None:
    for service in list(_LIVE):
        with contextlib.suppress(Exception):
            service.stop()


# --------------------------------------------------------------------------------------------------------------
# Redis


RespValue = str | int | bytes | None | list[Any]


def _resp_encode(args: Sequence[str | bytes | int]) -> bytes:
    out = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        out.append(f"${len(data)}\r\n".encode() + data + b"\r\n")
    return b"".join(out)


def _resp_read(stream: IO[bytes]) -> RespValue:
    line = stream.readline()
    if not line.endswith(b"\r\n"):
        raise ServiceError(f"redis: truncated reply {line!r}")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise ServiceError(f"redis error: {rest.decode()}")
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        return None if size < 0 else stream.read(size + 2)[:-2]
    if kind == b"*":
        count = int(rest)
        return None if count < 0 else [_resp_read(stream) for _ in range(count)]
    raise ServiceError(f"redis: unexpected reply {line!r}")


def redis_server_binary() -> str | None:
    """``$CF_REDIS_SERVER``, else ``redis-server`` on PATH (Debian puts it in /usr/bin)."""
    return os.environ.get("CF_REDIS_SERVER") or shutil.which("redis-server") or shutil.which("/usr/bin/redis-server")


class RedisServer(LocalService):
    """Debian's ``redis-server`` with ``--bind 127.0.0.1 --port PORT --save '' --appendonly no``."""

    name = "redis"

    def __init__(
        self,
        *,
        port: int | None = None,
        startup_timeout: float = 15.0,
        keep_log: bool = False,
        extra_args: Sequence[str] = (),
    ) -> None:
        super().__init__(port=port, startup_timeout=startup_timeout, keep_log=keep_log)
        self.extra_args = tuple(extra_args)
        self._binary: str | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://{LOOPBACK}:{self.port}/0"

    def command(self, *args: str | bytes | int, timeout: float = 5.0) -> RespValue:
        """Send one command over a raw socket (no client library needed): ``command("SET", "k", "v")``."""
        with socket.create_connection((LOOPBACK, self.port), timeout=timeout) as sock:
            sock.sendall(_resp_encode(args))
            with sock.makefile("rb") as stream:
                return _resp_read(stream)

    def _check_installed(self) -> None:
        self._binary = redis_server_binary()
        if self._binary is None:
            raise ServiceNotInstalled(f"redis-server is not installed; {INSTALL_HINT}")

    def _command(self, port: int) -> list[str]:
        assert self._binary is not None
        return [
            self._binary,
            "--bind", LOOPBACK,
            "--port", str(port),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", tempfile.gettempdir(),
            *self.extra_args,
        ]  # fmt: skip

    def _ready(self) -> bool:
        return self.command("PING", timeout=1.0) == "PONG"


# --------------------------------------------------------------------------------------------------------------
# Firestore emulator


@functools.cache
def gcloud_sdk_root() -> Path | None:
    """``gcloud info --format='value(installation.sdk_root)'``, or None without gcloud."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        return None
    env = {**os.environ, "CLOUDSDK_CORE_DISABLE_PROMPTS": "1"}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        result = subprocess.run(
            [gcloud, "info", "--format=value(installation.sdk_root)"],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            env=env,
            check=True,
        )
        root = result.stdout.strip()
        if root:
            return Path(root)
    return Path(os.path.realpath(gcloud)).parent.parent


def firestore_jar() -> Path | None:
    """``$CF_FIRESTORE_EMULATOR_JAR``, else the gcloud SDK's Firestore emulator jar, where it exists."""
    override = os.environ.get("CF_FIRESTORE_EMULATOR_JAR")
    if override:
        return Path(override) if Path(override).is_file() else None
    root = gcloud_sdk_root()
    if root is None:
        return None
    jar = root / FIRESTORE_JAR_IN_SDK
    return jar if jar.is_file() else None


def firestore_npm_prefix() -> Path | None:
    """The folder where install.sh put the npm stand-in, if it did."""
    prefix = SERVICES_DIR / "firestore-npm"
    installed = (prefix / "node_modules" / "@firestore-emulator" / "server" / "package.json").is_file()
    return prefix if installed else None


class FirestoreEmulator(LocalService):
    """The Firestore emulator: the gcloud SDK's jar where it exists, else the npm stand-in (gRPC only).

    ``impl="auto"`` picks the jar, then the npm stand-in; ``$CF_SERVICES_FIRESTORE=jar|npm`` forces one.
    """

    name = "firestore"

    def __init__(
        self,
        *,
        project: str = "demo-test",
        impl: Literal["auto", "jar", "npm"] = "auto",
        port: int | None = None,
        startup_timeout: float = 60.0,
        keep_log: bool = False,
        quiet: bool = False,
    ) -> None:
        super().__init__(port=port, startup_timeout=startup_timeout, keep_log=keep_log)
        self.project = project
        self.impl = impl
        self.quiet = quiet
        self._which: FirestoreImpl | None = None
        self._jar: Path | None = None
        self._npm_prefix: Path | None = None
        self._admin_port: int | None = None

    @property
    def which_impl(self) -> FirestoreImpl:
        """``"jar"`` (gcloud SDK emulator: REST + gRPC + reset) or ``"npm"`` (partial stand-in: gRPC only)."""
        if self._which is None:
            raise ServiceError("firestore emulator is not started")
        return self._which

    @property
    def description(self) -> str:
        if self.which_impl == "jar":
            return f"gcloud SDK jar {self._jar}"
        return f"npm @firestore-emulator/server in {self._npm_prefix} (partial stand-in: gRPC only, no REST)"

    @property
    def supports_rest(self) -> bool:
        return self.which_impl == "jar"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (the jar serves REST and gRPC on that one port)."""
        return f"http://{self.host}"

    @property
    def admin_url(self) -> str:
        """Where ``/emulator/v1/...`` reset and ``/shutdown`` are served (a second port for the npm stand-in)."""
        if self.which_impl == "npm":
            assert self._admin_port is not None
            return f"http://{LOOPBACK}:{self._admin_port}"
        return self.base_url

    def documents_url(self, path: str = "", *, project: str | None = None) -> str:
        """``http://HOST/v1/projects/P/databases/(default)/documents[/path]`` (jar only)."""
        if not self.supports_rest:
            raise ServiceError("the npm Firestore stand-in has no REST API")
        base = f"{self.base_url}/v1/projects/{project or self.project}/databases/(default)/documents"
        return f"{base}/{path.strip('/')}" if path else base

    def env(self) -> dict[str, str]:
        """Variables the Firestore client libraries read."""
        return {"FIRESTORE_EMULATOR_HOST": self.host, "GOOGLE_CLOUD_PROJECT": self.project}

    def reset(self, *, project: str | None = None) -> None:
        """Delete every document of the project (the npm stand-in clears all projects)."""
        url = f"{self.admin_url}/emulator/v1/projects/{project or self.project}/databases/(default)/documents"
        response = httpx.delete(url, timeout=10.0)
        if response.status_code >= 300:
            raise ServiceError(f"firestore reset: HTTP {response.status_code}: {response.text[:500]}")

    def _check_installed(self) -> None:
        forced = os.environ.get("CF_SERVICES_FIRESTORE", "") if self.impl == "auto" else self.impl
        if forced not in ("", "jar", "npm"):
            raise ServiceError(f"CF_SERVICES_FIRESTORE must be 'jar' or 'npm', not {forced!r}")
        if forced in ("", "jar"):
            self._jar = firestore_jar()
            if self._jar is not None and shutil.which("java") is not None:
                self._which = "jar"
                return
            if forced == "jar":
                raise ServiceNotInstalled("no Firestore emulator jar (gcloud SDK) or no java on this machine")
        self._npm_prefix = firestore_npm_prefix()
        if self._npm_prefix is not None and shutil.which("node") is not None:
            self._which = "npm"
            return
        raise ServiceNotInstalled(f"no Firestore emulator jar and no npm stand-in; {INSTALL_HINT}")

    def start(self) -> Self:
        super().start()
        if not self.quiet:
            print(f"Firestore emulator: {self.description} on {self.host}", file=sys.stderr)
        return self

    def _command(self, port: int) -> list[str]:
        if self.which_impl == "jar":
            return [
                "java", "-Duser.language=en", "-cp", str(self._jar), FIRESTORE_MAIN_CLASS,
                "start", f"--host={LOOPBACK}", f"--port={port}",
            ]  # fmt: skip
        self._admin_port = free_port()
        launcher = SCRIPTS_DIR / "firestore_npm_launcher.js"
        return ["node", str(launcher), str(self._npm_prefix), str(port), str(self._admin_port)]

    def _ready(self) -> bool:
        response = httpx.get(f"{self.admin_url}/", timeout=1.0)
        return response.status_code == 200 and (self.which_impl == "jar" or port_open(self.port))

    def _shutdown_politely(self) -> bool:
        httpx.post(f"{self.admin_url}/shutdown", timeout=2.0)
        return True


# --------------------------------------------------------------------------------------------------------------
# Cloud Tasks emulator


def tasks_python() -> Path:
    """The Cloud Tasks emulator venv's python: ``$CF_TASKS_EMULATOR_PYTHON`` or ``.services/tasks-venv``."""
    override = os.environ.get("CF_TASKS_EMULATOR_PYTHON")
    return Path(override) if override else SERVICES_DIR / "tasks-venv" / "bin" / "python"


@dataclass(frozen=True)
class HttpTask:
    """An HTTP task to create in the emulator (see ``CloudTasksEmulator.create_http_tasks``)."""

    url: str
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    method: str = "POST"
    name: str | None = None  # the short task id; the emulator does not reject duplicates
    schedule_in: float | None = None  # seconds from now; the emulator holds the task until then


# Run by the emulator venv's python (it has google-cloud-tasks and grpc): JSON ops in on stdin, results out.
_TASKS_CLIENT = r"""
import base64, datetime, json, sys, warnings
warnings.simplefilter("ignore")
import grpc
from google.cloud import tasks_v2
from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport
from google.protobuf import timestamp_pb2

request = json.load(sys.stdin)
channel = grpc.insecure_channel(request["host"])
client = tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
results = []
for op in request["ops"]:
    if op["op"] == "create":
        task = {"http_request": {
            "url": op["url"],
            "http_method": tasks_v2.HttpMethod[op["method"]],
            "headers": op["headers"],
            "body": base64.b64decode(op["body"]),
        }}
        if op["name"]:
            task["name"] = op["queue"] + "/tasks/" + op["name"]
        if op["schedule_in"] is not None:
            when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=op["schedule_in"])
            stamp = timestamp_pb2.Timestamp()
            stamp.FromDatetime(when)
            task["schedule_time"] = stamp
        results.append(client.create_task(parent=op["queue"], task=task).name)
    elif op["op"] == "list":
        results.append([t.name for t in client.list_tasks(parent=op["queue"])])
    elif op["op"] == "purge":
        client.purge_queue(name=op["queue"])
        results.append(None)
    else:
        raise SystemExit("unknown op " + op["op"])
channel.close()
json.dump(results, sys.stdout)
"""


class CloudTasksEmulator(LocalService):
    """``gcloud-tasks-emulator`` (own venv) bound to 127.0.0.1 by scripts/services/launcher_tasks.py.

    One queue (``queue_path``) plus ``extra_queues`` exist from the start. A failed dispatch (HTTP 4xx/5xx or no
    connection) is retried about every 0.1 s, ``max_retries`` times, then dropped.
    """

    name = "cloud-tasks"

    def __init__(
        self,
        *,
        project: str = "demo-test",
        location: str = "us-central1",
        queue: str = "default",
        extra_queues: Sequence[str] = (),
        max_retries: int = 3,
        port: int | None = None,
        startup_timeout: float = 30.0,
        keep_log: bool = False,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0: upstream's default (-1) retries forever, immediately")
        super().__init__(port=port, startup_timeout=startup_timeout, keep_log=keep_log)
        self.project = project
        self.location = location
        self.queue = queue
        self.extra_queues = tuple(extra_queues)
        self.max_retries = max_retries

    @property
    def python(self) -> Path:
        """The emulator venv's python (has ``google.cloud.tasks_v2`` and ``grpc``)."""
        return tasks_python()

    @property
    def queue_path(self) -> str:
        """``projects/P/locations/L/queues/Q`` of the default queue."""
        return self.queue_path_for(self.queue)

    def queue_path_for(self, queue: str) -> str:
        return queue if "/" in queue else f"projects/{self.project}/locations/{self.location}/queues/{queue}"

    def env(self) -> dict[str, str]:
        """What the app reads to talk to the emulator over an insecure gRPC channel."""
        return {"CF_CLOUD_TASKS_EMULATOR_HOST": self.host}

    def create_http_tasks(self, tasks: Sequence[HttpTask], *, queue: str | None = None) -> list[str]:
        """Create HTTP tasks (one client subprocess for all); returns their full names."""
        parent = self.queue_path_for(queue or self.queue)
        ops = [
            {
                "op": "create",
                "queue": parent,
                "url": task.url,
                "method": task.method.upper(),
                "headers": dict(task.headers),
                "body": base64.b64encode(task.body).decode(),
                "name": task.name,
                "schedule_in": task.schedule_in,
            }
            for task in tasks
        ]
        return [str(name) for name in self.run_client(ops)]

    def create_http_task(
        self,
        url: str,
        *,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        method: str = "POST",
        name: str | None = None,
        schedule_in: float | None = None,
        queue: str | None = None,
    ) -> str:
        """Create one HTTP task; returns its full name (``projects/.../tasks/ID``)."""
        task = HttpTask(url, body, dict(headers or {}), method, name, schedule_in)
        return self.create_http_tasks([task], queue=queue)[0]

    def list_tasks(self, *, queue: str | None = None) -> list[str]:
        """Names of the tasks still waiting (not yet dispatched, or failed and due for a retry)."""
        (names,) = self.run_client([{"op": "list", "queue": self.queue_path_for(queue or self.queue)}])
        return [str(name) for name in names]

    def purge(self, *, queue: str | None = None) -> None:
        """Drop every waiting task of the queue."""
        self.run_client([{"op": "purge", "queue": self.queue_path_for(queue or self.queue)}])

    def run_client(self, ops: Sequence[Mapping[str, Any]], *, timeout: float = 60.0) -> list[Any]:
        """Run ``_TASKS_CLIENT`` with the emulator venv's python against this emulator."""
        payload = json.dumps({"host": self.host, "ops": list(ops)})
        try:
            result = subprocess.run(
                [str(self.python), "-W", "ignore", "-c", _TASKS_CLIENT],
                input=payload,
                capture_output=True,
                text=True,
                timeout=timeout,
                env=self._env(),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ServiceError(f"cloud tasks client timed out after {timeout:.0f} s") from exc
        if result.returncode != 0:
            raise ServiceError(f"cloud tasks client failed ({result.returncode}):\n{result.stderr[-_LOG_TAIL:]}")
        results: list[Any] = json.loads(result.stdout)
        return results

    def _check_installed(self) -> None:
        if not self.python.is_file():
            raise ServiceNotInstalled(f"no Cloud Tasks emulator venv at {self.python.parent.parent}; {INSTALL_HINT}")

    def _env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "ignore"}

    def _command(self, port: int) -> list[str]:
        queues = [self.queue_path, *(self.queue_path_for(q) for q in self.extra_queues)]
        return [
            str(self.python), "-W", "ignore", str(SCRIPTS_DIR / "launcher_tasks.py"), "start",
            "-p", str(port), "-H", LOOPBACK, "-r", str(self.max_retries),
            *(arg for queue in queues for arg in ("-d", queue)),
        ]  # fmt: skip

    def _ready(self) -> bool:
        return port_open(self.port)


# --------------------------------------------------------------------------------------------------------------
# Firebase Auth emulator


def firebase_cli() -> Path | None:
    """The firebase CLI that install.sh put in ``.services/firebase-tools``, if it did."""
    cli = SERVICES_DIR / "firebase-tools" / "node_modules" / "firebase-tools" / "lib" / "bin" / "firebase.js"
    return cli if cli.is_file() else None


class FirebaseAuthEmulator(LocalService):
    """The Firebase Auth emulator (npm firebase-tools, ``emulators:start --only auth``) for a ``demo-*`` project:
    no credentials, no network. It issues unsigned ID tokens (``alg: none``) for the users it signs up."""

    name = "firebase-auth"

    def __init__(
        self, *, project: str = "demo-cf-test", port: int | None = None, startup_timeout: float = 90.0
    ) -> None:
        super().__init__(port=port, startup_timeout=startup_timeout)
        self.project = project
        self._dir = Path(tempfile.mkdtemp(prefix="cf-firebase-"))
        self._cli: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def env(self) -> dict[str, str]:
        """What clients read to talk to the emulator (the app accepts its unsigned tokens only then)."""
        return {"FIREBASE_AUTH_EMULATOR_HOST": self.host}

    def sign_up(self, email: str, password: str = "correct-horse-battery") -> dict[str, Any]:
        """Create a user and sign it in: ``{"localId": uid, "idToken": ..., ...}``."""
        response = httpx.post(
            f"{self.url}/identitytoolkit.googleapis.com/v1/accounts:signUp",
            params={"key": "fake-api-key"},
            json={"email": email, "password": password, "returnSecureToken": True},
            timeout=10.0,
        )
        if response.status_code != 200:
            raise ServiceError(f"firebase sign-up: HTTP {response.status_code}: {response.text[:500]}")
        account: dict[str, Any] = response.json()
        return account

    def reset(self) -> None:
        """Delete every user of the project."""
        response = httpx.delete(f"{self.url}/emulator/v1/projects/{self.project}/accounts", timeout=10.0)
        if response.status_code >= 300:
            raise ServiceError(f"firebase reset: HTTP {response.status_code}: {response.text[:500]}")

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _check_installed(self) -> None:
        self._cli = firebase_cli()
        if self._cli is None or shutil.which("node") is None:
            raise ServiceNotInstalled(f"no firebase-tools (or no node); {INSTALL_HINT}")

    def _env(self) -> dict[str, str]:
        # CI=true skips the CLI's message-of-the-day fetch, which waits on the network.
        return {**os.environ, "CI": "true", "NO_UPDATE_NOTIFIER": "1", "HOME": str(self._dir)}

    def _workdir(self) -> Path:
        return self._dir  # the CLI may leave *-debug.log files in its working directory

    def _command(self, port: int) -> list[str]:
        assert self._cli is not None
        local = {"host": LOOPBACK}
        config = {
            "emulators": {
                "auth": {**local, "port": port},
                "hub": {**local, "port": free_port()},
                "logging": {**local, "port": free_port()},
                "ui": {"enabled": False},
            }
        }
        config_path = self._dir / "firebase.json"
        config_path.write_text(json.dumps(config))
        return ["node", str(self._cli), "emulators:start", "--only", "auth", "--project", self.project,
                "--config", str(config_path)]  # fmt: skip

    def _ready(self) -> bool:
        response = httpx.get(f"{self.url}/", timeout=1.0)
        return response.status_code == 200 and bool(response.json().get("authEmulator", {}).get("ready"))
