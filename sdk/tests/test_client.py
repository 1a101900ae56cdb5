"""The blocking client: what each call sends, and what it makes of the answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from content_factory_client import (
    VERSION,
    APIError,
    AsyncClient,
    Client,
    ConfigurationError,
    ConflictError,
    ContentTypeList,
    JobChange,
    SourceSpan,
    models,
)
from fakeapi import (
    FakeAPI,
    FakeClock,
    end,
    error,
    job,
    recorded_artifact,
    recorded_artifact_names,
    recorded_job,
    reply,
    stream,
)

from conftest import KEY, URL

SOURCE = {
    "id": "src_1", "title": "Notes", "kind": "text", "characters": 5, "sha256": "ab", "media_type": "text/plain",
    "size": 5, "created_at": "2026-12-03T10:00:00Z",
}  # fmt: skip


def test_every_request_carries_the_key_and_the_user_agent(api: FakeAPI, client: Client) -> None:
    api.on("GET", "/v1/jobs/job_1", reply(200, job()))

    client.jobs.get("job_1")

    sent = api.requests[0]
    assert sent.url == f"{URL}/v1/jobs/job_1"
    assert sent.headers["X-API-Key"] == KEY
    assert sent.headers["User-Agent"] == f"content-factory-client/{VERSION}"


def test_url_and_key_default_to_the_environment(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CF_API_URL", "http://from-env.test:9000")
    monkeypatch.setenv("CF_API_KEY", "cf_from_env")
    api.on("GET", "/v1/jobs/job_1", reply(200, job()))

    with Client(transport=api.transport(), headers={"X-Trace": "t1"}) as client:
        client.jobs.get("job_1")

    sent = api.requests[0]
    assert sent.url.host == "from-env.test"
    assert sent.headers["X-API-Key"] == "cf_from_env"
    assert sent.headers["X-Trace"] == "t1"


@pytest.mark.parametrize("url", ["http://[::1", "localhost:8080", "ftp://cf.test", "cf.test", "http://"])
def test_a_base_url_the_client_cannot_use_is_refused_when_it_is_made(url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        Client(url, KEY)
    with pytest.raises(ConfigurationError, match="base_url"):
        AsyncClient(url, KEY)


def test_a_bad_url_from_the_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CF_API_URL", "http://[::1")

    with pytest.raises(ConfigurationError, match="CF_API_URL"):
        Client()


def test_a_key_that_is_not_ascii_is_refused_without_showing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CF_API_KEY", "cf_geheimnis_ä")

    with pytest.raises(ConfigurationError, match="CF_API_KEY") as raised:
        Client(URL)
    with pytest.raises(ConfigurationError, match="X-Trace"):
        Client(URL, KEY, headers={"X-Trace": "ü"})

    assert "geheimnis" not in str(raised.value)


def test_without_a_key_none_is_sent(api: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CF_API_KEY", raising=False)
    api.on("GET", "/v1/content-types", reply(200, {"engine": "extractive", "items": []}))

    with Client(URL, transport=api.transport()) as client:
        client.content_types()

    assert "X-API-Key" not in api.requests[0].headers


def test_a_recorded_job_parses(api: FakeAPI, client: Client) -> None:
    api.on("GET", "/v1/jobs/job_1", reply(200, {**recorded_job(), "a_field_from_the_future": 1}))

    got = client.jobs.get("job_1")

    assert got.status == "succeeded"
    assert got.finished
    assert set(got.artifacts) == set(recorded_artifact_names())
    assert got.artifacts["flashcards"].status == "succeeded"


def test_the_job_list_asks_for_the_full_view(api: FakeAPI, client: Client) -> None:
    api.on("GET", "/v1/jobs", reply(200, {"items": [job()], "next_cursor": "c2"}))

    page = client.jobs.list(status="running", limit=5, cursor="c1")

    assert page.next_cursor == "c2"
    assert dict(api.requests[0].url.params) == {"limit": "5", "cursor": "c1", "status": "running", "view": "full"}


def test_iterating_jobs_follows_the_cursors(api: FakeAPI, client: Client) -> None:
    pages = {
        None: {"items": [job("job_1"), job("job_2")], "next_cursor": "c2"},
        "c2": {"items": [job("job_3")], "next_cursor": "c3"},
        "c3": {"items": [], "next_cursor": None},
    }
    api.on("GET", "/v1/jobs", lambda request: reply(200, pages[request.url.params.get("cursor")]))

    ids = [found.id for found in client.jobs.iter(page_size=2)]

    assert ids == ["job_1", "job_2", "job_3"]
    assert [r.url.params.get("cursor") for r in api.requests] == [None, "c2", "c3"]
    assert {r.url.params["limit"] for r in api.requests} == {"2"}


def test_iterating_sources_follows_the_cursors(api: FakeAPI, client: Client) -> None:
    pages = {
        None: {"items": [SOURCE], "next_cursor": "c2"},
        "c2": {"items": [{**SOURCE, "id": "src_2"}]},  # next_cursor may be left out
    }
    api.on("GET", "/v1/sources", lambda request: reply(200, pages[request.url.params.get("cursor")]))

    assert [source.id for source in client.sources.iter()] == ["src_1", "src_2"]


ARTIFACT_CLASSES = {
    "outline": (models.OutlineArtifact, models.Outline),
    "podcast_script": (models.PodcastScriptArtifact, models.PodcastScript),
    "study_guide": (models.StudyGuideArtifact, models.StudyGuide),
    "one_pager": (models.OnePagerArtifact, models.OnePager),
    "detailed_reading": (models.DetailedReadingArtifact, models.DetailedReading),
    "faq": (models.FaqArtifact, models.Faq),
    "flashcards": (models.FlashcardsArtifact, models.Flashcards),
    "reading_questions": (models.ReadingQuestionsArtifact, models.ReadingQuestions),
    "quiz": (models.QuizArtifact, models.Quiz),
}


@pytest.mark.parametrize("name", sorted(ARTIFACT_CLASSES))
def test_each_artifact_comes_back_typed(api: FakeAPI, client: Client, name: str) -> None:
    api.on("GET", f"/v1/jobs/job_1/artifacts/{name}", reply(200, recorded_artifact(name)))

    artifact = client.jobs.artifact("job_1", name)

    envelope, content = ARTIFACT_CLASSES[name]
    assert type(artifact) is envelope
    assert type(artifact.content) is content
    assert artifact.type == name


def test_flashcards_carry_their_evidence(api: FakeAPI, client: Client) -> None:
    api.on("GET", "/v1/jobs/job_1/artifacts/flashcards", reply(200, recorded_artifact("flashcards")))

    artifact = client.jobs.artifact("job_1", "flashcards")

    assert isinstance(artifact, models.FlashcardsArtifact)
    card = artifact.content.cards[0]
    assert card.difficulty in ("easy", "medium", "hard")
    assert artifact.grounded
    assert card.evidence and card.evidence[0].end > card.evidence[0].start


def test_a_download_is_named_by_content_disposition(api: FakeAPI, client: Client) -> None:
    headers = {"Content-Type": "text/markdown; charset=utf-8", "Content-Disposition": 'attachment; filename="cards.md"'}
    api.on("GET", "/v1/jobs/job_1/artifacts/flashcards/export", reply(200, "# Cards\n", headers))

    download = client.jobs.download("job_1", "flashcards", format="md")

    assert (download.filename, download.media_type, download.content) == ("cards.md", "text/markdown", b"# Cards\n")
    assert api.requests[0].url.params["format"] == "md"


def test_a_download_asks_the_export_route_directly(api: FakeAPI, client: Client) -> None:
    # exportArtifact; the artifact's own route answers a format with a 307 to it, a hop not taken.
    api.on(
        "GET", "/v1/jobs/job_1/artifacts/flashcards/export", reply(200, "front,back\n", {"Content-Type": "text/csv"})
    )

    client.jobs.download("job_1", "flashcards", format="csv")

    assert [str(r.url) for r in api.requests] == [f"{URL}/v1/jobs/job_1/artifacts/flashcards/export?format=csv"]


def test_an_export_of_an_unfinished_job_is_a_conflict(api: FakeAPI, client: Client) -> None:
    api.on("GET", "/v1/jobs/job_1/export", reply(409, error("job_not_finished", details={"status": "running"})))

    with pytest.raises(ConflictError) as raised:
        client.jobs.export("job_1")

    assert raised.value.code == "job_not_finished"
    assert len(api.requests) == 1  # not retried


@pytest.mark.parametrize(
    ("disposition", "filename"),
    [
        (None, "flashcards.csv"),
        ("attachment; filename*=UTF-8''Karteikarten%20%C3%BCben.csv", "Karteikarten üben.csv"),
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ('attachment; filename="..\\\\windows\\\\evil.csv"', "evil.csv"),
        ('attachment; filename=".."', "download"),
    ],
)
def test_a_download_name_is_a_bare_file_name(
    api: FakeAPI, client: Client, disposition: str | None, filename: str
) -> None:
    headers = {"Content-Type": "text/csv", **({"Content-Disposition": disposition} if disposition else {})}
    api.on("GET", "/v1/jobs/job_1/artifacts/flashcards/export", reply(200, "front,back\n", headers))

    assert client.jobs.download("job_1", "flashcards", format="csv").filename == filename


def test_an_export_asks_for_its_format(api: FakeAPI, client: Client) -> None:
    api.on("GET", "/v1/jobs/job_1/export", reply(200, b"PK\x03\x04", {"Content-Type": "application/zip"}))

    download = client.jobs.export("job_1")

    assert (download.filename, download.media_type) == ("job_1.zip", "application/zip")
    assert api.requests[0].url.params["format"] == "zip"


def test_an_upload_is_a_multipart_file_with_a_title(api: FakeAPI, client: Client, tmp_path: Path) -> None:
    notes = tmp_path / "lecture.md"
    notes.write_text("# Photosynthesis\n")
    api.on("POST", "/v1/sources", reply(201, SOURCE))

    client.sources.upload(notes, title="Lecture 1")

    sent = api.requests[0]
    assert sent.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="file"; filename="lecture.md"' in sent.content
    assert b"# Photosynthesis\n" in sent.content
    assert b'name="title"\r\n\r\nLecture 1' in sent.content


def test_a_source_from_text_is_json(api: FakeAPI, client: Client) -> None:
    api.on("POST", "/v1/sources", reply(201, SOURCE))

    client.sources.from_text("Light into sugar.", title="Notes")

    assert json.loads(api.requests[0].content) == {"text": "Light into sugar.", "title": "Notes"}


def test_a_source_text_whole_or_a_span(api: FakeAPI, client: Client) -> None:
    span = {"source_id": "src_1", "start": 0, "end": 5, "text": "Light", "before": "", "after": " into", "page": None}
    api.on(
        "GET",
        "/v1/sources/src_1/text",
        lambda request: reply(200, span) if "start" in request.url.params else reply(200, "Light into sugar."),
    )

    assert client.sources.text("src_1") == "Light into sugar."
    got = client.sources.text("src_1", 0, 5)
    assert isinstance(got, SourceSpan)
    assert got.text == "Light"
    with pytest.raises(ValueError, match="both start and end"):
        client.sources.text("src_1", 0, None)  # type: ignore[call-overload]


def test_content_types_read_the_schema_field(api: FakeAPI, client: Client) -> None:
    item = {
        "type": "flashcards", "description": "Cards.", "derived_from_outline": True,
        "controls": {"count": {"type": "integer", "default": 15, "minimum": 5, "maximum": 50, "description": "n"}},
        "honoured_controls": ["count"], "unused_controls": [], "formats": ["json", "csv"],
        "schema": {"title": "Flashcards"},
    }  # fmt: skip
    api.on("GET", "/v1/content-types", reply(200, {"engine": "extractive", "items": [item]}))

    listed = client.content_types()
    assert listed.items[0].formats == ["json", "csv"]

    assert isinstance(listed, ContentTypeList)
    assert listed.items[0].json_schema == {"title": "Flashcards"}
    assert listed.items[0].controls["count"].maximum == 50


def test_generate_uploads_waits_and_fetches_every_artifact_that_succeeded(
    api: FakeAPI, client: Client, clock: FakeClock, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Light into sugar.")
    steps = {"outline": "succeeded", "flashcards": "succeeded", "faq": "failed"}
    api.on("POST", "/v1/sources", reply(201, SOURCE))
    api.on("POST", "/v1/jobs", reply(202, job(status="queued", version=1, artifacts=dict.fromkeys(steps, "queued"))))
    api.on(
        "GET",
        "/v1/jobs/job_1",
        reply(200, job(version=1)),
        reply(200, job(status="partial", version=5, artifacts=steps)),
    )
    api.on("GET", "/v1/jobs/job_1/events", stream(end(5)))
    for name in ("outline", "flashcards"):
        api.on("GET", f"/v1/jobs/job_1/artifacts/{name}", reply(200, recorded_artifact(name)))
    changes: list[JobChange] = []

    result = client.generate(file=notes, artifacts=["flashcards", "faq"], on_progress=changes.append)

    assert json.loads(api.sent("POST", "/v1/jobs")[0].content) == {
        "source_ids": ["src_1"],
        "artifacts": ["flashcards", "faq"],
    }
    assert result.job.status == "partial"
    assert not result.succeeded
    assert set(result.artifacts) == {"outline", "flashcards"}
    assert isinstance(result.artifacts["flashcards"], models.FlashcardsArtifact)
    assert result.failed["faq"].code == "generation_failed"
    assert [c.version for c in changes] == [1, 5]


def test_generate_refuses_a_text_and_a_file_before_sending(api: FakeAPI, client: Client, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not both"):
        client.generate("Some text", file=tmp_path / "notes.txt")

    assert api.requests == []


def test_a_download_follows_a_redirect_to_storage_without_the_key(api: FakeAPI, client: Client) -> None:
    signed = "https://storage.test/exports/job_1/cards.apkg?X-Goog-Signature=abc"
    api.on("GET", "/v1/jobs/job_1/artifacts/flashcards/export", reply(307, None, {"Location": signed}))
    disposition = {
        "Content-Type": "application/octet-stream",
        "Content-Disposition": 'attachment; filename="cards.apkg"',
    }
    api.on("GET", "/exports/job_1/cards.apkg", reply(200, b"apkg-bytes", disposition))

    download = client.jobs.download("job_1", "flashcards", format="apkg")

    assert (download.content, download.filename) == (b"apkg-bytes", "cards.apkg")
    to_storage = api.requests[1]
    assert to_storage.url == signed
    assert "X-API-Key" not in to_storage.headers
    assert to_storage.headers["User-Agent"] == f"content-factory-client/{VERSION}"


def test_a_redirect_within_the_api_keeps_the_key(api: FakeAPI, client: Client) -> None:
    api.on("GET", "/v1/jobs/job_1/export", reply(307, None, {"Location": "/v1/files/ex_1"}))
    api.on("GET", "/v1/files/ex_1", reply(200, b"PK", {"Content-Type": "application/zip"}))

    assert client.jobs.export("job_1").content == b"PK"
    assert api.requests[1].headers["X-API-Key"] == KEY


def test_only_downloads_follow_redirects(api: FakeAPI, client: Client) -> None:
    api.on("GET", "/v1/jobs/job_1", reply(307, None, {"Location": "https://elsewhere.test/"}))

    with pytest.raises(APIError) as raised:
        client.jobs.get("job_1")

    assert raised.value.status == 307
    assert len(api.requests) == 1
