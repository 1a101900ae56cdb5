"""``content-factory``: the API from a shell. ``create_cli(client_factory)`` builds the command line around a
function that makes the client, so tests hand it a client over ``httpx.MockTransport``; ``main`` is the script.

Exit codes (stable, for scripts): 0 success; 1 the job finished but did not succeed (partial, failed,
cancelled); 2 a usage error (also an --api-url or --api-key the client cannot use, a stdin that is not UTF-8, an
--out that cannot be made); 3 the API refused the request (4xx); 4 the service or the network failed, after
retries (5xx, no connection, retries spent, an answer that cannot be decoded); 5 timed out waiting for the job;
6 a local file could not be read or written (FILE, or the files written into --out).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from content_factory_client._client import Client
from content_factory_client._display import ProgressDisplay
from content_factory_client._errors import (
    APIConnectionError,
    APIError,
    ConfigurationError,
    ContentFactoryError,
    ResponseDecodingError,
    RetriesExhausted,
    UnprocessableEntityError,
    WaitTimeout,
)
from content_factory_client._results import failed_artifacts, succeeded_artifacts
from content_factory_client.models import Job

EXIT_OK, EXIT_NOT_SUCCEEDED, EXIT_USAGE, EXIT_REFUSED, EXIT_FAILED, EXIT_TIMEOUT, EXIT_LOCAL = 0, 1, 2, 3, 4, 5, 6
EXIT_CODES = (
    "Exit codes: 0 success; 1 the job finished but did not succeed (partial, failed, cancelled); 2 usage error; "
    "3 the API refused (4xx); 4 the service or network failed after retries; 5 timed out waiting; "
    "6 a local file could not be read or written."
)

ClientFactory = Callable[[str | None, str | None], Client]  # (api_url, api_key) -> a client


@dataclass(frozen=True, slots=True)
class _Session:
    make_client: ClientFactory
    api_url: str | None
    api_key: str | None
    json: bool

    def client(self) -> Client:
        return self.make_client(self.api_url, self.api_key)


def exit_code(error: ContentFactoryError) -> int:
    if isinstance(error, WaitTimeout):
        return EXIT_TIMEOUT
    if isinstance(error, ConfigurationError):
        return EXIT_USAGE
    if isinstance(error, APIError) and 400 <= error.status < 500:
        return EXIT_REFUSED
    return EXIT_FAILED


def _describe(error: ContentFactoryError) -> dict[str, Any]:
    if isinstance(error, APIError):
        return {"code": error.code, "message": error.message, "status": error.status, "request_id": error.request_id}
    if isinstance(error, RetriesExhausted):
        last = error.last_error.code if isinstance(error.last_error, APIError) else "no_connection"
        code = f"retries_exhausted:{last}"
        return {"code": code, "message": str(error), "status": error.status, "request_id": error.request_id}
    if isinstance(error, WaitTimeout):
        return {"code": "wait_timeout", "message": str(error), "job_id": error.job_id}
    if isinstance(error, ConfigurationError):
        return {"code": "configuration", "message": f"{error} (from --api-url and --api-key, or their variables)"}
    if isinstance(error, ResponseDecodingError):
        return {"code": "undecodable_answer", "message": str(error)}
    code = "no_connection" if isinstance(error, APIConnectionError) else "client_error"
    return {"code": code, "message": str(error)}


def _report(session: _Session, described: dict[str, Any], code: int) -> typer.Exit:
    if session.json:
        line = json.dumps({"error": described})
    else:
        rid = f" (request id {described['request_id']})" if described.get("request_id") else ""
        line = f"error: {described['code']}: {described['message']}{rid}"
    typer.echo(line, err=True)
    return typer.Exit(code)


@contextmanager
def _reported(session: _Session) -> Iterator[None]:
    """One line on stderr and the exit code for any error of the client, or of a local file (the client wraps
    the network's own OSErrors); never a traceback."""
    try:
        yield
    except ContentFactoryError as error:
        raise _report(session, _describe(error), exit_code(error)) from None
    except OSError as error:
        raise _report(session, {"code": "file_error", "message": str(error)}, EXIT_LOCAL) from None


def _stdin_text() -> str:
    """The text piped in, read as bytes and decoded as UTF-8 here: Python's own stdin decoding turns bytes it
    cannot read into lone surrogates (``surrogateescape``), which no JSON body can carry."""
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise typer.BadParameter(
            f"stdin is not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start}).", param_hint="FILE"
        ) from None


def _writable_folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise typer.BadParameter(f"{out} cannot be made: {exc.strerror or exc}.", param_hint="--out") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise typer.BadParameter(f"{out} is not a folder this user can write to.", param_hint="--out")


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _job_line(job: Job) -> str:
    return f"{job.id}  {job.status:<9}  {job.progress.done}/{job.progress.total}  {job.title}"


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON on stdout (and errors as JSON on stderr).")]


def create_cli(client_factory: ClientFactory | None = None) -> typer.Typer:
    """The command line, making its clients with ``client_factory`` (default: ``Client(api_url, api_key)``)."""
    make_client: ClientFactory = client_factory or (lambda url, key: Client(url, key))
    app = typer.Typer(
        name="content-factory",
        help="Generate study materials with the Content Factory API.",
        epilog=EXIT_CODES,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    jobs = typer.Typer(help="List, show, cancel, retry and delete jobs.", no_args_is_help=True, epilog=EXIT_CODES)
    app.add_typer(jobs, name="jobs")

    @app.callback()
    def root(
        ctx: typer.Context,
        api_url: Annotated[
            str | None, typer.Option("--api-url", envvar="CF_API_URL", help="Default: http://127.0.0.1:8080.")
        ] = None,
        api_key: Annotated[
            str | None, typer.Option("--api-key", envvar="CF_API_KEY", show_default=False, help="The API key.")
        ] = None,
        json_output: JsonFlag = False,
    ) -> None:
        ctx.obj = _Session(make_client, api_url, api_key, json_output)

    def session(ctx: typer.Context, json_output: bool) -> _Session:
        parent: _Session = ctx.find_root().obj
        return _Session(parent.make_client, parent.api_url, parent.api_key, parent.json or json_output)

    @app.command()
    def generate(
        ctx: typer.Context,
        file: Annotated[
            str | None, typer.Argument(help="A file to upload as the source, or - to read a text from stdin.")
        ] = None,
        topic: Annotated[str | None, typer.Option(help="What to teach (with or without a source).")] = None,
        artifacts: Annotated[
            str | None, typer.Option(help="Comma-separated types, e.g. flashcards,faq (default: all).")
        ] = None,
        language: Annotated[str | None, typer.Option(help="BCP 47 language of the materials.")] = None,
        out: Annotated[Path, typer.Option(help="Folder for the files.", file_okay=False)] = Path("."),
        format: Annotated[str, typer.Option(help="File format of each artifact: json, md, ...")] = "json",
        timeout: Annotated[float, typer.Option(help="Seconds to wait for the job.", min=0)] = 600.0,
        json_output: JsonFlag = False,
    ) -> None:
        """Make a job from FILE (or stdin, or a topic), follow it, and write one file per artifact into --out.
        Types not offered in --format are skipped, with a note on stderr."""
        cli = session(ctx, json_output)
        if file is None and topic is None:
            raise typer.BadParameter("Give a FILE, - to read the text from stdin, or --topic.", param_hint="FILE")
        if file not in (None, "-") and not Path(str(file)).is_file():
            raise typer.BadParameter(f"{file} is not a file.", param_hint="FILE")
        text = _stdin_text() if file == "-" else None
        _writable_folder(out)  # before the job is made: a job whose files cannot be written is wasted
        wanted = [name.strip() for name in artifacts.split(",") if name.strip()] if artifacts else None
        stderr = Console(stderr=True)
        with _reported(cli), cli.client() as client:
            with ProgressDisplay(stderr) as display:
                job = client._finished_job(
                    text,
                    topic=topic,
                    file=file if file not in (None, "-") else None,
                    artifacts=wanted,
                    language=language,
                    on_progress=display,
                    timeout=timeout,
                )
            files: dict[str, Path] = {}
            skipped: dict[str, str] = {}  # types not offered in --format: the server's word on it
            for name in succeeded_artifacts(job):
                try:
                    download = client.jobs.download(job.id, name, format)
                except UnprocessableEntityError as refused:
                    if refused.code != "unknown_format":
                        raise
                    skipped[name] = refused.message
                    continue
                files[name] = out / download.filename
                files[name].write_bytes(download.content)
        failed = failed_artifacts(job)
        if cli.json:
            _print_json(
                {
                    "job": {"id": job.id, "title": job.title, "status": job.status},
                    "files": {name: str(path) for name, path in files.items()},
                    "failed": {name: error.model_dump() for name, error in failed.items()},
                    "skipped": skipped,
                }
            )
        else:
            for path in files.values():
                typer.echo(str(path))
            for name, error in failed.items():
                typer.echo(f"{name} failed: {error.code}: {error.message}", err=True)
            for name, why in skipped.items():
                typer.echo(f"{name} not written: {why}", err=True)
        if job.status != "succeeded":
            typer.echo(f"job {job.id} finished {job.status}", err=True)
            raise typer.Exit(EXIT_NOT_SUCCEEDED)

    @jobs.command("list")
    def list_jobs(
        ctx: typer.Context,
        status: Annotated[str | None, typer.Option(help="Only jobs in this status.")] = None,
        page_size: Annotated[int, typer.Option(help="Jobs per request.", min=1, max=100)] = 20,
        limit: Annotated[int | None, typer.Option(help="At most this many jobs (default: all).", min=1)] = None,
        json_output: JsonFlag = False,
    ) -> None:
        """Your jobs, newest first, every page until --limit."""
        cli = session(ctx, json_output)
        size = min(page_size, limit) if limit is not None else page_size
        with _reported(cli), cli.client() as client:
            found = list(islice(client.jobs.iter(status=status, page_size=size), limit))
        if cli.json:
            _print_json([job.model_dump(mode="json") for job in found])
        else:
            for job in found:
                typer.echo(_job_line(job))

    def print_job(cli: _Session, job: Job) -> None:
        if cli.json:
            _print_json(job.model_dump(mode="json"))
        else:
            typer.echo(_job_line(job))

    @jobs.command("show")
    def show(ctx: typer.Context, job_id: str, json_output: JsonFlag = False) -> None:
        """One job: status, progress and each artifact's state."""
        cli = session(ctx, json_output)
        with _reported(cli), cli.client() as client:
            job = client.jobs.get(job_id)
        print_job(cli, job)
        if cli.json:
            return
        for name, state in job.artifacts.items():
            error = f"  {state.error.code}: {state.error.message}" if state.error else ""
            typer.echo(f"  {name:<18} {state.status}{error}")

    @jobs.command("cancel")
    def cancel(ctx: typer.Context, job_id: str, json_output: JsonFlag = False) -> None:
        """Cancel an unfinished job."""
        cli = session(ctx, json_output)
        with _reported(cli), cli.client() as client:
            job = client.jobs.cancel(job_id)
        print_job(cli, job)

    @jobs.command("retry")
    def retry(ctx: typer.Context, job_id: str, json_output: JsonFlag = False) -> None:
        """Run the failed or cancelled artifacts of a finished job again."""
        cli = session(ctx, json_output)
        with _reported(cli), cli.client() as client:
            job = client.jobs.retry(job_id)
        print_job(cli, job)

    @jobs.command("delete")
    def delete(ctx: typer.Context, job_id: str, json_output: JsonFlag = False) -> None:
        """Delete a job and its artifacts."""
        cli = session(ctx, json_output)
        with _reported(cli), cli.client() as client:
            client.jobs.delete(job_id)
        if cli.json:
            _print_json({"deleted": job_id})
        else:
            typer.echo(f"deleted {job_id}")

    @app.command("content-types")
    def content_types(ctx: typer.Context, json_output: JsonFlag = False) -> None:
        """The artifact types the service makes, and their controls."""
        cli = session(ctx, json_output)
        with _reported(cli), cli.client() as client:
            listed = client.content_types()
        if cli.json:
            _print_json(listed.model_dump(mode="json", by_alias=True))
            return
        for item in listed.items:
            controls = ", ".join(f"{name} {c.minimum}-{c.maximum}" for name, c in item.controls.items())
            formats = f"  formats: {', '.join(item.formats)}" if item.formats else ""
            typer.echo(f"{item.type:<18} {item.description}{f'  [{controls}]' if controls else ''}{formats}")

    return app


def main() -> None:
    create_cli()(prog_name="content-factory")


if __name__ == "__main__":
    main()
