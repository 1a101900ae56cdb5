"""The command line over a scripted API: its outputs, its files and its exit codes."""

from __future__ import annotations

import json
import random
from pathlib import Path

import httpx
import pytest
import typer
from content_factory_client import Client, RetryPolicy
from content_factory_client.cli import create_cli
from fakeapi import FakeAPI, FakeClock, change, end, error, job, recorded_artifact, reply, stream
from typer.testing import CliRunner

from conftest import URL

JOB = "/v1/jobs/job_1"
STEPS = {"outline": "succeeded", "flashcards": "succeeded"}
SOURCE = {
    "id": "src_1", "title": "Notes", "kind": "text", "characters": 5, "sha256": "ab", "media_type": "text/plain",
    "size": 5, "created_at": "2026-12-03T10:00:00Z",
}  # fmt: skip


@pytest.fixture
def made() -> list[tuple[str | None, str | None]]:
    return []


@pytest.fixture
def app(api: FakeAPI, clock: FakeClock, made: list[tuple[str | None, str | None]]) -> typer.Typer:
    def client_factory(url: str | None, key: str | None) -> Client:
        made.append((url, key))
        policy = RetryPolicy(jitter=random.Random(1))  # seeded jitter
        return Client(url or URL, key, transport=api.transport(), clock=clock, retry=policy)

    return create_cli(client_factory)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def a_job_that_runs(api: FakeAPI, final: str = "succeeded", steps: dict[str, str] | None = None) -> None:
    steps = steps or STEPS
    queued = dict.fromkeys(steps, "queued")
    api.on("POST", "/v1/sources", reply(201, SOURCE))
    api.on("POST", "/v1/jobs", reply(202, job(status="queued", version=1, artifacts=queued)))
    api.on(
        "GET",
        JOB,
        reply(200, job(status="queued", version=1, artifacts=queued)),
        reply(200, job("job_1", final, 3, steps)),
    )
    halfway = {**queued, "outline": "succeeded", "flashcards": "running"}
    api.on("GET", f"{JOB}/events", stream(change(2, "running", halfway), change(3, final, steps), end(3)))
    for name in steps:
        headers = {"Content-Type": "application/json", "Content-Disposition": f'attachment; filename="{name}.json"'}
        api.on("GET", f"{JOB}/artifacts/{name}/export", reply(200, json.dumps(recorded_artifact(name)), headers))


def test_generate_writes_one_file_per_artifact_and_prints_the_paths(
    app: typer.Typer, runner: CliRunner, api: FakeAPI, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Light into sugar.")
    a_job_that_runs(api)

    result = runner.invoke(app, ["generate", str(notes), "--artifacts", "flashcards", "--out", str(tmp_path / "out")])

    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert result.stdout.splitlines() == [str(out / "outline.json"), str(out / "flashcards.json")]
    assert json.loads((out / "flashcards.json").read_text())["type"] == "flashcards"
    assert json.loads(api.sent("POST", "/v1/jobs")[0].content) == {"source_ids": ["src_1"], "artifacts": ["flashcards"]}
    # The files are downloads, in the format asked for: no artifact is fetched as JSON first.
    assert not [r for r in api.requests if r.url.path.startswith(f"{JOB}/artifacts/") and "/export" not in r.url.path]
    # Not a terminal: one plain line per change on stderr.
    assert "outline succeeded (1/2)" in result.stderr
    assert "flashcards running (1/2)" in result.stderr
    assert "flashcards succeeded (2/2)" in result.stderr
    assert "job succeeded (2/2)" in result.stderr


def test_generate_reads_a_text_from_stdin_and_prints_a_json_summary(
    app: typer.Typer, runner: CliRunner, api: FakeAPI, tmp_path: Path
) -> None:
    a_job_that_runs(api)

    result = runner.invoke(
        app, ["generate", "-", "--language", "de", "--out", str(tmp_path), "--json"], input="Licht wird Zucker."
    )

    assert result.exit_code == 0, result.output
    assert json.loads(api.sent("POST", "/v1/jobs")[0].content) == {
        "source_text": "Licht wird Zucker.",
        "language": "de",
    }
    summary = json.loads(result.stdout)
    assert summary["job"] == {"id": "job_1", "title": "Photosynthesis", "status": "succeeded"}
    assert summary["files"]["flashcards"] == str(tmp_path / "flashcards.json")
    assert summary["failed"] == {}
    assert api.sent("POST", "/v1/sources") == []


def test_generate_asks_for_the_format(app: typer.Typer, runner: CliRunner, api: FakeAPI, tmp_path: Path) -> None:
    a_job_that_runs(api)
    api.on(
        "GET",
        f"{JOB}/artifacts/flashcards/export",
        reply(
            200,
            "# Cards\n",
            {"Content-Type": "text/markdown", "Content-Disposition": 'attachment; filename="cards.md"'},
        ),
    )
    api.on("GET", f"{JOB}/artifacts/outline/export", reply(200, "# Outline\n", {"Content-Type": "text/markdown"}))

    result = runner.invoke(app, ["generate", "--topic", "Photosynthesis", "--format", "md", "--out", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "cards.md").read_text() == "# Cards\n"
    assert (tmp_path / "outline.md").read_text() == "# Outline\n"
    assert {r.url.params["format"] for r in api.requests if "/artifacts/" in r.url.path} == {"md"}


def test_types_not_offered_in_the_format_are_skipped_with_a_note(
    app: typer.Typer, runner: CliRunner, api: FakeAPI, tmp_path: Path
) -> None:
    a_job_that_runs(api)
    refusal = error("unknown_format", "outline is not offered as 'csv'; it is offered as json, md", "rid-fmt")
    api.on("GET", f"{JOB}/artifacts/outline/export", reply(422, refusal))
    api.on("GET", f"{JOB}/artifacts/flashcards/export", reply(200, "front,back\n", {"Content-Type": "text/csv"}))

    result = runner.invoke(app, ["generate", "--topic", "Photosynthesis", "--format", "csv", "--out", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(tmp_path / "flashcards.csv")]
    assert "outline not written: outline is not offered as 'csv'" in result.stderr


def test_a_job_that_does_not_succeed_exits_1_after_writing_what_did(
    app: typer.Typer, runner: CliRunner, api: FakeAPI, tmp_path: Path
) -> None:
    a_job_that_runs(api, final="partial", steps={"outline": "succeeded", "flashcards": "failed"})

    result = runner.invoke(app, ["generate", "--topic", "Photosynthesis", "--out", str(tmp_path)])

    assert result.exit_code == 1
    assert (tmp_path / "outline.json").exists()
    assert not (tmp_path / "flashcards.json").exists()
    assert "flashcards failed: generation_failed" in result.stderr


def test_a_wait_past_the_timeout_exits_5(app: typer.Typer, runner: CliRunner, api: FakeAPI, tmp_path: Path) -> None:
    api.on("POST", "/v1/jobs", reply(202, job(status="queued")))
    api.on("GET", JOB, reply(200, job(status="running")))
    api.on("GET", f"{JOB}/events", reply(404, error("not_found")))

    result = runner.invoke(app, ["generate", "--topic", "Photosynthesis", "--timeout", "3", "--out", str(tmp_path)])

    assert result.exit_code == 5
    assert "wait_timeout" in result.stderr


def test_a_refusal_exits_3_with_one_line_naming_code_message_and_request_id(
    app: typer.Typer, runner: CliRunner, api: FakeAPI, tmp_path: Path
) -> None:
    api.on("POST", "/v1/jobs", reply(422, error("validation_error", "Invalid request: topic", "rid-422")))

    result = runner.invoke(app, ["generate", "--topic", "x", "--out", str(tmp_path)])

    assert result.exit_code == 3
    assert result.stderr == "error: validation_error: Invalid request: topic (request id rid-422)\n"
    assert "Traceback" not in result.output


def test_errors_are_json_with_json(app: typer.Typer, runner: CliRunner, api: FakeAPI) -> None:
    api.on("GET", JOB, reply(404, error("job_not_found", "No job 'job_1'.", "rid-404")))

    result = runner.invoke(app, ["--json", "jobs", "show", "job_1"])

    assert result.exit_code == 3
    assert json.loads(result.stderr)["error"] == {
        "code": "job_not_found", "message": "No job 'job_1'.", "status": 404, "request_id": "rid-404",
    }  # fmt: skip


def test_a_service_failing_after_retries_exits_4(app: typer.Typer, runner: CliRunner, api: FakeAPI) -> None:
    api.on("GET", JOB, reply(503, error("service_unavailable", request_id="rid-503")))

    result = runner.invoke(app, ["jobs", "show", "job_1"])

    assert result.exit_code == 4
    assert result.stderr.startswith("error: retries_exhausted:service_unavailable: Gave up after 5 attempt(s)")
    assert result.stderr.endswith("(request id rid-503)\n")


def test_no_connection_exits_4(app: typer.Typer, runner: CliRunner, api: FakeAPI) -> None:
    api.on("GET", "/v1/content-types", httpx.ConnectError("refused"))

    result = runner.invoke(app, ["content-types"])

    assert result.exit_code == 4
    assert "no_connection" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["generate"],
        ["generate", "no-such-file.txt"],
        ["jobs", "list", "--page-size", "0"],
        ["jobs", "show"],
        ["no-such-command"],
    ],
)
def test_usage_errors_exit_2(app: typer.Typer, runner: CliRunner, args: list[str]) -> None:
    assert runner.invoke(app, args).exit_code == 2


def test_jobs_list_pages_until_the_limit(app: typer.Typer, runner: CliRunner, api: FakeAPI) -> None:
    pages = {
        None: {"items": [job("job_1"), job("job_2")], "next_cursor": "c2"},
        "c2": {"items": [job("job_3"), job("job_4")], "next_cursor": "c3"},
        "c3": {"items": [job("job_5")], "next_cursor": None},
    }
    api.on("GET", "/v1/jobs", lambda request: reply(200, pages[request.url.params.get("cursor")]))

    limited = runner.invoke(app, ["jobs", "list", "--page-size", "2", "--limit", "3"])
    every = runner.invoke(app, ["jobs", "list", "--page-size", "2", "--json", "--status", "running"])

    assert limited.exit_code == 0, limited.output
    assert [line.split()[0] for line in limited.stdout.splitlines()] == ["job_1", "job_2", "job_3"]
    assert [item["id"] for item in json.loads(every.stdout)] == ["job_1", "job_2", "job_3", "job_4", "job_5"]
    assert api.requests[-1].url.params["status"] == "running"


def test_jobs_show_cancel_retry_delete(app: typer.Typer, runner: CliRunner, api: FakeAPI) -> None:
    api.on("GET", JOB, reply(200, job(artifacts={"outline": "succeeded", "faq": "failed"})))
    api.on("POST", f"{JOB}/cancel", reply(200, job(status="cancelled")))
    api.on("POST", f"{JOB}/retry", reply(202, job(status="queued")))
    api.on("DELETE", JOB, reply(204))

    shown = runner.invoke(app, ["jobs", "show", "job_1"])
    cancelled = runner.invoke(app, ["jobs", "cancel", "job_1"])
    retried = runner.invoke(app, ["jobs", "retry", "job_1", "--json"])
    deleted = runner.invoke(app, ["jobs", "delete", "job_1"])

    assert shown.exit_code == 0, shown.output
    assert "faq" in shown.stdout and "generation_failed" in shown.stdout
    assert cancelled.stdout.startswith("job_1  cancelled")
    assert json.loads(retried.stdout)["status"] == "queued"
    assert deleted.stdout == "deleted job_1\n"


def test_content_types_list_each_type(app: typer.Typer, runner: CliRunner, api: FakeAPI) -> None:
    item = {
        "type": "flashcards", "description": "Cards.", "derived_from_outline": True,
        "controls": {"count": {"type": "integer", "default": 15, "minimum": 5, "maximum": 50, "description": "n"}},
        "honoured_controls": ["count"], "unused_controls": [], "schema": {"title": "Flashcards"},
    }  # fmt: skip
    api.on("GET", "/v1/content-types", reply(200, {"engine": "extractive", "items": [item]}))

    text = runner.invoke(app, ["content-types"])
    as_json = runner.invoke(app, ["content-types", "--json"])

    assert text.stdout == "flashcards         Cards.  [count 5-50]\n"
    assert json.loads(as_json.stdout)["items"][0]["schema"] == {"title": "Flashcards"}


def test_the_url_and_key_come_from_options_or_the_environment(
    app: typer.Typer, runner: CliRunner, api: FakeAPI, made: list[tuple[str | None, str | None]]
) -> None:
    api.on("DELETE", JOB, reply(204))

    runner.invoke(app, ["--api-url", "http://other.test", "--api-key", "cf_opt", "jobs", "delete", "job_1"])
    runner.invoke(app, ["jobs", "delete", "job_1"], env={"CF_API_URL": "http://env.test", "CF_API_KEY": "cf_env"})

    assert made == [("http://other.test", "cf_opt"), ("http://env.test", "cf_env")]
    assert [r.headers["X-API-Key"] for r in api.requests] == ["cf_opt", "cf_env"]


def test_a_poll_retried_past_the_timeout_exits_5(
    app: typer.Typer, runner: CliRunner, api: FakeAPI, tmp_path: Path
) -> None:
    api.on("POST", "/v1/jobs", reply(202, job(status="queued")))
    api.on(
        "GET", JOB, reply(200, job(status="running")), reply(503, error("service_unavailable"), {"Retry-After": "25"})
    )
    api.on("GET", f"{JOB}/events", reply(404, error("not_found")))

    result = runner.invoke(app, ["generate", "--topic", "Photosynthesis", "--timeout", "5", "--out", str(tmp_path)])

    assert result.exit_code == 5, result.output
    assert "wait_timeout" in result.stderr


@pytest.mark.parametrize("url", ["http://[::1", "localhost:8080"])
def test_an_api_url_the_client_cannot_use_exits_2_with_one_line(runner: CliRunner, url: str) -> None:
    result = runner.invoke(create_cli(), ["--api-url", url, "jobs", "show", "job_1"])

    assert result.exit_code == 2
    assert result.stderr.startswith("error: configuration: base_url")
    assert len(result.stderr.splitlines()) == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_stdin_that_is_not_utf8_exits_2_before_anything_is_sent(
    app: typer.Typer, runner: CliRunner, api: FakeAPI, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["generate", "-", "--out", str(tmp_path)], input=b"\xff\xfe")

    assert result.exit_code == 2
    assert "stdin is not UTF-8 text (byte 0xff at offset 0)" in result.stderr
    assert api.requests == []


def test_an_out_folder_that_cannot_be_made_exits_2_before_the_job_is_made(
    app: typer.Typer, runner: CliRunner, api: FakeAPI, tmp_path: Path
) -> None:
    a_job_that_runs(api)
    (tmp_path / "a-file").write_text("")

    result = runner.invoke(app, ["generate", "--topic", "Photosynthesis", "--out", str(tmp_path / "a-file" / "sub")])

    assert result.exit_code == 2
    assert "--out" in result.stderr
    assert api.requests == []


def test_a_file_that_cannot_be_written_exits_6_with_one_line(
    app: typer.Typer, runner: CliRunner, api: FakeAPI, tmp_path: Path
) -> None:
    a_job_that_runs(api)
    (tmp_path / "flashcards.json").mkdir()  # where the file would go

    result = runner.invoke(app, ["generate", "--topic", "Photosynthesis", "--out", str(tmp_path)])

    assert result.exit_code == 6
    assert result.stderr.splitlines()[-1].startswith("error: file_error: [Errno 21] Is a directory")
    assert isinstance(result.exception, SystemExit)


def test_an_answer_that_cannot_be_decoded_exits_4(app: typer.Typer, runner: CliRunner, api: FakeAPI) -> None:
    def garbled(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip at all"))

    api.on("GET", JOB, garbled)

    result = runner.invoke(app, ["jobs", "show", "job_1"])

    assert result.exit_code == 4
    assert result.stderr.startswith("error: undecodable_answer: ")
