"""``/v1/sources`` on embedded defaults: uploads, URLs and texts become sources once; they are owned, paged,
read whole or by span, deleted with their files; bad input gets its own 4xx and leaves nothing stored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from tests.fixtures import documents
from tests.fixtures.app import MakeSettings, open_client, text
from tests.fixtures.local_http import page_site, serve

PAGES = [
    "Photosynthesis turns light into chemical energy. Chlorophyll absorbs red and blue light in the leaf.",
    "The Calvin cycle fixes carbon dioxide into sugar. It runs in the stroma of the chloroplast.",
    "Cellular respiration releases the energy stored in glucose. Mitochondria carry out most of it.",
]


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def storage_dir(tmp_path: Path) -> Path:
    return tmp_path / "storage"


@pytest.fixture
async def api(make_settings: MakeSettings, storage_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(storage_dir=storage_dir, source_max_bytes=200_000, source_allow_private_urls=True)
    async for client in open_client(create_app(settings)):
        yield client


async def upload(client: httpx.AsyncClient, name: str, data: bytes, media: str, **form: str) -> httpx.Response:
    return await client.post("/v1/sources", files={"file": (name, data, media)}, data=form)


async def other_key(client: httpx.AsyncClient) -> dict[str, str]:
    created = await client.post("/v1/admin/keys", json={"owner": "someone-else", "name": "other"})
    assert created.status_code == 201, created.text
    return {"X-API-Key": created.json()["key"]}


async def test_a_pdf_becomes_a_source_with_pages_and_the_same_bytes_return_it(
    api: httpx.AsyncClient, storage_dir: Path
) -> None:
    data = documents.pdf(PAGES, title="Plant energy")
    created = await upload(api, "plants.pdf", data, "application/pdf")
    assert created.status_code == 201, created.text
    source = created.json()
    assert source["kind"] == "pdf" and source["pages"] == 3 and source["title"] == "Plant energy"
    assert source["language"] == "en" and source["size"] == len(data)
    assert created.headers["location"] == f"/v1/sources/{source['id']}"
    again = await upload(api, "copy.pdf", data, "application/pdf")
    assert again.status_code == 200 and again.json()["id"] == source["id"]
    assert len(stored_files(storage_dir)) == 2  # the original and its text, once

    text = await api.get(f"/v1/sources/{source['id']}/text")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert "Calvin cycle" in text.text and len(text.text) == source["characters"]
    start = text.text.index("The Calvin cycle")
    span = await api.get(f"/v1/sources/{source['id']}/text", params={"start": start, "end": start + 16})
    assert span.status_code == 200
    body = span.json()
    assert body["text"] == "The Calvin cycle" and body["page"] == 2
    assert body["before"].endswith(text.text[:start][-20:]) and body["after"].startswith(" fixes")


async def test_docx_html_markdown_and_text_become_sources(api: httpx.AsyncClient) -> None:
    made = [
        await upload(api, "notes.docx", documents.docx(title="Leaf notes"), "application/octet-stream"),
        await upload(api, "page.html", documents.html_page("The leaf", PAGES), "text/html"),
        await upload(api, "notes.md", documents.markdown("Energy", PAGES), "text/markdown"),
        await api.post("/v1/sources", json={"text": " ".join(PAGES), "title": "Pasted"}),
    ]
    assert [r.status_code for r in made] == [201] * 4, [r.text for r in made]
    assert [r.json()["kind"] for r in made] == ["docx", "html", "markdown", "text"]
    assert made[3].json()["title"] == "Pasted"
    html = (await api.get(f"/v1/sources/{made[1].json()['id']}/text")).text
    assert "Calvin cycle" in html and "<p>" not in html


async def test_sources_are_owned_listed_by_cursor_and_deleted_with_their_files(
    api: httpx.AsyncClient, storage_dir: Path
) -> None:
    ids = []
    for i in range(3):
        made = await api.post("/v1/sources", json={"text": f"{PAGES[i]} Part {i}.", "title": f"Part {i}"})
        ids.append(made.json()["id"])
    first = (await api.get("/v1/sources", params={"limit": 2})).json()
    assert [s["id"] for s in first["items"]] == ids[:0:-1]
    rest = (await api.get("/v1/sources", params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [s["id"] for s in rest["items"]] == ids[:1] and rest["next_cursor"] is None

    other = await other_key(api)
    assert (await api.get(f"/v1/sources/{ids[0]}", headers=other)).status_code == 404
    assert (await api.get(f"/v1/sources/{ids[0]}/text", headers=other)).status_code == 404
    assert (await api.delete(f"/v1/sources/{ids[0]}", headers=other)).status_code == 404
    assert (await api.get("/v1/sources", headers=other)).json()["items"] == []
    job = await api.post("/v1/jobs", json={"source_ids": [ids[0]]}, headers=other)
    assert job.status_code == 404 and job.json()["error"]["code"] == "source_not_found"

    assert len(stored_files(storage_dir)) == 6
    assert (await api.delete(f"/v1/sources/{ids[0]}")).status_code == 204
    assert (await api.get(f"/v1/sources/{ids[0]}")).status_code == 404
    assert len(stored_files(storage_dir)) == 4


@pytest.mark.parametrize(
    ("name", "data", "media", "status", "code"),
    [
        ("locked.pdf", documents.encrypted_pdf(), "application/pdf", 422, "encrypted_pdf"),
        ("scan.pdf", documents.scanned_pdf(), "application/pdf", 422, "no_text_layer"),
        ("broken.pdf", documents.corrupt_pdf(), "application/pdf", 422, "corrupt_file"),
        ("notes.pdf", b"Just some words, not a PDF at all.", "application/pdf", 422, "mislabelled_file"),
        ("archive.docx", documents.plain_zip(), "application/octet-stream", 422, "mislabelled_file"),
        ("picture.png", documents.png(), "image/png", 422, "unsupported_type"),
        ("big.txt", b"word " * 50_000, "text/plain", 413, "source_too_large"),
    ],
)
async def test_bad_files_get_their_own_4xx_and_nothing_is_stored(
    api: httpx.AsyncClient, storage_dir: Path, name: str, data: bytes, media: str, status: int, code: str
) -> None:
    response = await upload(api, name, data, media)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["details"]["field"] == "file"
    assert stored_files(storage_dir) == []
    assert (await api.get("/v1/sources")).json()["items"] == []


async def test_an_upload_far_over_the_limit_is_refused_before_it_is_read(api: httpx.AsyncClient) -> None:
    response = await upload(api, "huge.txt", b"x" * 400_000, "text/plain")
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


async def test_bodies_that_are_neither_upload_nor_json_are_refused(api: httpx.AsyncClient) -> None:
    plain = await api.post("/v1/sources", content=b"hello", headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415
    both = await api.post("/v1/sources", json={"url": "https://example.com/", "text": "x"})
    assert both.status_code == 422
    no_file = await api.post("/v1/sources", files={"other": ("a.txt", b"hello", "text/plain")})
    assert no_file.status_code == 400 and no_file.json()["error"]["details"]["field"] == "file"
    span = await api.get("/v1/sources/src_missing/text", params={"start": 0, "end": 4})
    assert span.status_code == 404


@pytest.fixture
def site() -> Iterator[str]:
    with serve(page_site(documents.html_page("Leaves at work", PAGES), moved="/moved")) as url:
        yield url


async def test_a_web_page_becomes_a_source_when_private_addresses_are_allowed(
    api: httpx.AsyncClient, site: str
) -> None:
    made = await api.post("/v1/sources", json={"url": f"{site}/moved"})
    assert made.status_code == 201, made.text
    source = made.json()
    assert source["kind"] == "html" and source["title"] == "Leaves at work"
    assert source["url"] == f"{site}/article.html"


async def test_by_default_a_url_on_a_private_address_is_refused(
    make_settings: MakeSettings, storage_dir: Path, site: str
) -> None:
    async for client in open_client(create_app(make_settings(storage_dir=storage_dir))):
        for url in (
            f"{site}/moved",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "file:///etc/passwd",
        ):
            refused = await client.post("/v1/sources", json={"url": url})
            assert refused.status_code == 422, refused.text
            assert refused.json()["error"]["code"] in {"url_blocked_address", "url_scheme"}
            assert refused.json()["error"]["details"]["field"] == "url"
    assert stored_files(storage_dir) == []


async def test_a_job_takes_its_text_from_sources_in_order(api: httpx.AsyncClient) -> None:
    paragraphs = text("prose/volcanoes.txt").split("\n\n")
    half = len(paragraphs) // 2
    first = (await api.post("/v1/sources", json={"text": "\n\n".join(paragraphs[:half]), "title": "One"})).json()
    second = (await api.post("/v1/sources", json={"text": "\n\n".join(paragraphs[half:]), "title": "Two"})).json()
    created = await api.post(
        "/v1/jobs", json={"source_ids": [first["id"], second["id"]], "artifacts": ["outline", "flashcards"]}
    )
    assert created.status_code == 202, created.text
    job = created.json()
    assert job["request"]["source_ids"] == [first["id"], second["id"]]
    assert job["request"]["source_chars"] == first["characters"] + 2 + second["characters"]
    both = await api.post("/v1/jobs", json={"source_ids": [first["id"]], "source_text": "x y z"})
    assert both.status_code == 422
    missing = await api.post("/v1/jobs", json={"source_ids": ["src_nope"]})
    assert missing.status_code == 404 and missing.json()["error"]["details"]["source_id"] == "src_nope"


def test_private_url_sources_and_a_bucketless_cloud_storage_are_refused_at_start() -> None:
    from pydantic import ValidationError

    from app.config import Settings

    with pytest.raises(ValidationError, match="CF_SOURCE_ALLOW_PRIVATE_URLS"):
        Settings(
            environment="production", key_pepper="a-production-pepper-of-some-length", source_allow_private_urls=True
        )
    with pytest.raises(ValidationError, match="CF_GCS_BUCKET"):
        Settings(storage="gcs")


async def test_malformed_forms_cursors_and_model_evidence_get_clear_answers(api: httpx.AsyncClient) -> None:
    two = await api.post(
        "/v1/sources", files=[("file", ("a.txt", b"one two", "text/plain")), ("file", ("b.txt", b"x y", "text/plain"))]
    )
    assert two.status_code == 400, two.text
    assert two.json()["error"]["code"] == "invalid_form" and two.json()["error"]["details"]["limit_files"] == 1
    broken = await api.post(
        "/v1/sources", content=b"--x\r\nnonsense", headers={"Content-Type": "multipart/form-data; boundary=x"}
    )
    assert broken.status_code == 400 and broken.json()["error"]["details"]["field"] == "file"
    for cursor in ("bm9wZQ", "WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzE0OjAwIiwieCJd", "WyIyMDI2LTAxLTAxVDAwOjAwOjAwIiwieCJd"):
        listed = await api.get("/v1/sources", params={"cursor": cursor})
        assert listed.status_code == 400, listed.text
        assert listed.json()["error"]["details"][0]["field"] == "cursor"


async def test_an_idempotent_retry_replays_its_job_after_the_source_is_gone(api: httpx.AsyncClient) -> None:
    paragraphs = text("prose/volcanoes.txt")
    source = (await api.post("/v1/sources", json={"text": paragraphs, "title": "V"})).json()
    body = {"source_ids": [source["id"]], "artifacts": ["outline"]}
    first = await api.post("/v1/jobs", json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 202, first.text
    assert (await api.delete(f"/v1/sources/{source['id']}")).status_code == 204
    again = await api.post("/v1/jobs", json=body, headers={"Idempotency-Key": "k1"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


async def test_adding_sources_counts_against_the_generation_rate_limit(make_settings: MakeSettings) -> None:
    async for client in open_client(create_app(make_settings(rate_limit_per_ip="2/minute"))):
        answers = [
            (await client.post("/v1/sources", json={"text": f"{PAGES[0]} Copy {i}.", "title": "T"})).status_code
            for i in range(3)
        ]
        assert answers == [201, 201, 429]
        job = await client.post("/v1/jobs", json={"topic": "Photosynthesis"})
        assert job.status_code == 429 and "Retry-After" in job.headers  # the same budget as jobs
