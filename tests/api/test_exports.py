"""Exports over the API on embedded defaults: every artifact in every format it offers, named and typed as a
file, kept once per version in blob storage, gone with the job; the whole job as a zip; clear 4xx otherwise."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import httpx
import pytest

from app.config import Settings
from app.content.catalogue import artifact_types
from app.exports import formats_of
from app.main import create_app
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import MakeSettings, open_client, text
from tests.fixtures.fake_generator import FakeGenerator
from tests.fixtures.services import GcsEmulator
from tests.fixtures.signing import signing_key

MEDIA = {
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "apkg": "application/apkg",
    "qti": "application/zip",
    "gift": "text/plain; charset=utf-8",
}


@pytest.fixture
def settings(make_settings: MakeSettings) -> Settings:
    return make_settings()


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in open_client(create_app(settings)):
        yield client


async def finished_job(api: httpx.AsyncClient) -> dict[str, Any]:
    created = await api.post("/v1/jobs", json={"source_text": text("photosynthesis.txt")})
    assert created.status_code == 202, created.text
    job = await wait_for_job(api, created.json()["id"])
    assert job["status"] == "succeeded", job
    return job


def exports_on_disk(settings: Settings, job_id: str) -> list[Path]:
    folder = settings.storage_dir / "exports" / job_id
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def export_url(job_id: str, artifact: str) -> str:
    return f"/v1/jobs/{job_id}/artifacts/{artifact}/export"


async def test_every_artifact_downloads_in_every_format_it_offers(api: httpx.AsyncClient, settings: Settings) -> None:
    job = await finished_job(api)
    listed = {item["type"]: item["formats"] for item in (await api.get("/v1/content-types")).json()["items"]}
    served = 0
    for artifact in artifact_types():
        assert listed[artifact.value] == list(formats_of(artifact))  # and mp3 for the podcast with speech on
        for name in formats_of(artifact):
            response = await api.get(export_url(job["id"], artifact.value), params={"format": name})
            assert response.status_code == 200, (artifact, name, response.text)
            assert response.headers["content-type"] == MEDIA[name]
            disposition = response.headers["content-disposition"]
            assert (
                disposition.startswith('attachment; filename="')
                and f"-{artifact.value.replace('_', '-')}." in disposition
            )
            assert len(response.content) > 50
            if name == "json":
                assert (
                    response.json()
                    == (await api.get(f"/v1/jobs/{job['id']}/artifacts/{artifact.value}")).json()["content"]
                )
            served += 1
    assert served == sum(len(formats_of(a)) for a in artifact_types())
    assert len(exports_on_disk(settings, job["id"])) == served  # one kept file per artifact and format


async def test_an_export_is_built_once_then_read_from_storage(api: httpx.AsyncClient, settings: Settings) -> None:
    job = await finished_job(api)
    url = export_url(job["id"], "flashcards")
    first = await api.get(url, params={"format": "apkg"})
    assert first.status_code == 200
    [kept] = exports_on_disk(settings, job["id"])
    assert kept.read_bytes() == first.content and kept.parent.name == "apkg"
    kept.write_bytes(b"what storage holds")  # the next answer is read from storage, not built again
    again = await api.get(url, params={"format": "apkg"})
    assert again.content == b"what storage holds"


async def test_the_artifact_route_with_a_format_redirects_to_its_export(api: httpx.AsyncClient) -> None:
    job = await finished_job(api)
    response = await api.get(f"/v1/jobs/{job['id']}/artifacts/quiz", params={"format": "gift"})
    assert response.status_code == 307
    assert response.headers["location"] == f"{export_url(job['id'], 'quiz')}?format=gift"
    followed = await api.get(response.headers["location"])
    assert followed.status_code == 200 and followed.headers["content-type"] == MEDIA["gift"]


async def test_an_artifact_that_no_longer_validates_is_a_409_and_the_zip_leaves_it_out(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    job = await finished_job(api)
    async with aiosqlite.connect(settings.sqlite_path) as db:  # as a release with another model stored it
        row = await (
            await db.execute("SELECT data FROM artifacts WHERE job_id = ? AND type = 'faq'", (job["id"],))
        ).fetchone()
        assert row is not None
        data = json.loads(row[0])
        data["content"]["items"][0]["hint"] = "a field this release does not know"
        await db.execute(
            "UPDATE artifacts SET data = ? WHERE job_id = ? AND type = 'faq'", (json.dumps(data), job["id"])
        )
        await db.commit()
    for name in ("json", "md", "csv"):
        response = await api.get(export_url(job["id"], "faq"), params={"format": name})
        assert response.status_code == 409 and response.json()["error"]["code"] == "export_unavailable", name
    bundle = await api.get(f"/v1/jobs/{job['id']}/export")
    assert bundle.status_code == 200
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as opened:
        manifest = json.loads(opened.read("manifest.json"))
    assert manifest["left_out"] == ["faq"] and not any(f["artifact"] == "faq" for f in manifest["files"])


async def test_a_job_is_exported_once_it_has_finished(client: httpx.AsyncClient, fake: FakeGenerator) -> None:
    fake.gate = asyncio.Event()
    created = await client.post("/v1/jobs", json={"topic": "Photosynthesis", "artifacts": ["outline", "faq"]})
    job_id = created.json()["id"]
    early = await client.get(f"/v1/jobs/{job_id}/export")
    assert early.status_code == 409 and early.json()["error"]["code"] == "job_not_finished"
    fake.gate.set()
    await wait_for_job(client, job_id)
    assert (await client.get(f"/v1/jobs/{job_id}/export")).status_code == 200


async def test_the_whole_job_is_one_zip_of_every_artifact_in_every_format(api: httpx.AsyncClient) -> None:
    job = await finished_job(api)
    response = await api.get(f"/v1/jobs/{job['id']}/export", params={"format": "zip"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].endswith('.zip"')
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        names = set(bundle.namelist())
        manifest = json.loads(bundle.read("manifest.json"))
    expected = {(a.value, f) for a in artifact_types() for f in formats_of(a)}
    assert {(entry["artifact"], entry["format"]) for entry in manifest["files"]} == expected
    assert {entry["path"] for entry in manifest["files"]} | {"manifest.json"} == names
    assert (await api.get(f"/v1/jobs/{job['id']}/export")).content == response.content  # zip is the default


async def test_unknown_formats_are_a_422_naming_the_ones_offered(api: httpx.AsyncClient) -> None:
    job = await finished_job(api)
    outline = await api.get(export_url(job["id"], "outline"), params={"format": "csv"})
    assert outline.status_code == 422
    error = outline.json()["error"]
    assert error["code"] == "unknown_format" and error["details"][0]["field"] == "format"
    assert error["details"][0]["known"] == ["json", "md"] and "json, md" in error["message"]
    for bad in ("docx", "../../etc", "x" * 17):
        response = await api.get(export_url(job["id"], "quiz"), params={"format": bad})
        assert response.status_code == 422, bad
    assert (await api.get(f"/v1/jobs/{job['id']}/export", params={"format": "tar"})).status_code == 422


async def test_exports_follow_the_artifacts_rules_and_go_with_the_job(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    job = await finished_job(api)
    assert (await api.get(export_url(job["id"], "quiz"), params={"format": "gift"})).status_code == 200
    assert exports_on_disk(settings, job["id"])
    assert (await api.get(f"/v1/jobs/{job['id']}/export", headers={"X-API-Key": ""})).status_code == 401
    made = await api.post("/v1/admin/keys", json={"owner": "bob", "name": "bob", "scopes": ["jobs:read"]})
    bob = {"X-API-Key": made.json()["key"]}
    for url in (f"/v1/jobs/{job['id']}/export", export_url(job["id"], "quiz") + "?format=gift"):
        assert (await api.get(url, headers=bob)).status_code == 404, url  # another owner's job is not there
    assert (await api.get("/v1/jobs/nope/export")).status_code == 404
    assert (await api.delete(f"/v1/jobs/{job['id']}")).status_code == 204
    assert exports_on_disk(settings, job["id"]) == []
    assert (await api.get(f"/v1/jobs/{job['id']}/export")).status_code == 404


async def test_an_artifact_not_ready_has_no_export(client: httpx.AsyncClient, fake: FakeGenerator) -> None:
    fake.gate = asyncio.Event()
    created = await client.post("/v1/jobs", json={"topic": "Photosynthesis", "artifacts": ["outline", "faq"]})
    job_id = created.json()["id"]
    response = await client.get(export_url(job_id, "faq"), params={"format": "md"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "artifact_not_ready"
    fake.gate.set()
    await wait_for_job(client, job_id)


@pytest.mark.services
async def test_on_cloud_storage_an_export_is_a_redirect_to_a_signed_url_that_serves_it(
    make_settings: MakeSettings, gcs_emulator: GcsEmulator, tmp_path: Path
) -> None:
    key_file = tmp_path / "signer.json"
    key_file.write_text(json.dumps(signing_key()[1]))
    settings = make_settings(
        storage="gcs",
        gcs_bucket=gcs_emulator.bucket,
        gcs_signing_key_file=key_file,
        export_url_seconds=60,
        storage_emulator_host=gcs_emulator.url,
    )
    async for api in open_client(create_app(settings)):
        job = await finished_job(api)
        response = await api.get(export_url(job["id"], "quiz"), params={"format": "qti"})
        assert response.status_code == 307, response.text
        location = response.headers["location"]
        assert location.startswith(gcs_emulator.url) and "X-Goog-Expires=60" in location
        served = httpx.get(location, timeout=10)
        assert served.status_code == 200 and zipfile.ZipFile(io.BytesIO(served.content)).testzip() is None
        bundle = await api.get(f"/v1/jobs/{job['id']}/export")
        assert bundle.status_code == 307
        assert "manifest.json" in zipfile.ZipFile(io.BytesIO(httpx.get(bundle.headers["location"]).content)).namelist()


async def test_the_podcast_downloads_as_audio(make_settings: MakeSettings, tmp_path: Path) -> None:
    async for api in open_client(create_app(make_settings(speech="espeak"))):
        await _podcast_as_audio(api, tmp_path)


async def test_without_a_speech_engine_the_podcast_has_no_audio(api: httpx.AsyncClient) -> None:
    items = {item["type"]: item for item in (await api.get("/v1/content-types")).json()["items"]}
    assert "mp3" not in items["podcast_script"]["formats"]
    controls = items["podcast_script"]["controls"]
    assert controls["audio"]["available"] is False and controls["minutes"]["available"] is True


async def _podcast_as_audio(api: httpx.AsyncClient, tmp_path: Path) -> None:
    created = await api.post(
        "/v1/jobs", json={"source_text": text("photosynthesis.txt"), "artifacts": ["outline", "podcast_script"]}
    )
    job = await wait_for_job(api, created.json()["id"])
    listed = {item["type"]: item["formats"] for item in (await api.get("/v1/content-types")).json()["items"]}
    assert listed["podcast_script"][-1] == "mp3" and "mp3" not in listed["flashcards"]
    response = await api.get(export_url(job["id"], "podcast_script"), params={"format": "mp3"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/mpeg"
    assert response.headers["content-disposition"].endswith('-podcast-script.mp3"')
    path = tmp_path / "podcast.mp3"
    path.write_bytes(response.content)
    probed = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-show_format", "-of", "json", str(path)],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    described = json.loads(probed.stdout)
    script = (await api.get(f"/v1/jobs/{job['id']}/artifacts/podcast_script")).json()["content"]
    assert len(described["chapters"]) == len(script["segments"])
    assert float(described["format"]["duration"]) > 10
    assert (await api.get(export_url(job["id"], "flashcards"), params={"format": "mp3"})).status_code in (404, 422)


async def test_a_job_that_asks_for_audio_reads_its_podcast_aloud_as_a_step(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    settings = make_settings(speech="espeak")
    async for api in open_client(create_app(settings)):
        created = await api.post(
            "/v1/jobs",
            json={
                "source_text": text("photosynthesis.txt"),
                "artifacts": ["podcast_script"],
                "options": {"podcast_script": {"minutes": 2, "audio": True}},
            },
        )
        assert created.status_code == 202, created.text
        job = await wait_for_job(api, created.json()["id"])
        assert job["status"] == "succeeded", job
        assert job["artifacts"]["podcast_script"]["audio"] == {"status": "succeeded", "attempts": 1, "error": None}
        assert job["progress"] == {"done": 3, "total": 3, "percent": 100}
        catalogue = {item["type"]: item for item in (await api.get("/v1/content-types")).json()["items"]}
        assert catalogue["podcast_script"]["controls"]["audio"]["available"] is True
        events = (await api.get(f"/v1/jobs/{job['id']}/events")).text
        changes = [json.loads(line[5:]) for line in events.splitlines() if line.startswith("data:")]
        changes = [c for c in changes if "artifacts" in c]  # the change events, not the end
        assert changes[0]["audio"] == "pending" and changes[-1]["audio"] == "succeeded"
        assert changes[-1]["progress"] == job["progress"], "the stream counts the audio step as the job does"
        assert [c["progress"]["total"] for c in changes] == [3] * len(changes)
        kept = [p for p in exports_on_disk(settings, job["id"]) if p.suffix == ".mp3"]
        assert len(kept) == 1, "the step kept the file before anyone asked for it"

        response = await api.get(export_url(job["id"], "podcast_script"), params={"format": "mp3"})
        assert response.status_code == 200 and response.content == kept[0].read_bytes()

        bundle = await api.get(f"/v1/jobs/{job['id']}/export", params={"format": "zip"})
        archive = zipfile.ZipFile(io.BytesIO(bundle.content))
        assert archive.read("podcast_script/podcast_script.mp3") == kept[0].read_bytes()
        manifest = json.loads(archive.read("manifest.json"))
        assert {"path": "podcast_script/podcast_script.mp3", "format": "mp3"}.items() <= next(
            f for f in manifest["files"] if f["path"].endswith(".mp3")
        ).items()


async def test_audio_is_a_422_naming_the_field_where_speech_is_off(api: httpx.AsyncClient) -> None:
    body = {
        "source_text": text("photosynthesis.txt"),
        "artifacts": ["podcast_script"],
        "options": {"podcast_script": {"audio": True}},
    }
    refused = await api.post("/v1/jobs", json=body)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "audio_unavailable", error
    assert error["details"][0]["field"] == "options.podcast_script.audio"
    assert (await api.get("/v1/jobs")).json()["items"] == [], "nothing was made"
