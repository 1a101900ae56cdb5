"""Done through the API on embedded defaults: a PDF of several pages, a Word file, a web page served from
127.0.0.1 and a Markdown file each become a source and then a job with every artifact, and every piece of
evidence is the source's text between its offsets, on the right PDF page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from app.content.catalogue import artifact_types
from app.main import create_app
from tests.fixtures import documents
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import MakeSettings, open_client, text
from tests.fixtures.local_http import page_site, serve

PARAGRAPHS = [p for p in text("prose/volcanoes.txt").split("\n\n") if p.strip() and not p.startswith("#")]
ITEMS = {
    "flashcards": "cards",
    "faq": "items",
    "reading_questions": "questions",
    "study_guide": "key_concepts",
    "quiz": "questions",
}


@pytest.fixture
def site() -> Iterator[str]:
    with serve(page_site(documents.html_page("Volcanoes", PARAGRAPHS))) as url:
        yield url


@pytest.fixture
async def api(make_settings: MakeSettings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in open_client(create_app(make_settings(source_allow_private_urls=True))):
        yield client


async def add(api: httpx.AsyncClient, kind: str, site: str) -> dict[str, Any]:
    if kind == "pdf":
        pages = [" ".join(PARAGRAPHS[i : i + 5]) for i in range(0, len(PARAGRAPHS), 5)]
        made = await api.post(
            "/v1/sources", files={"file": ("v.pdf", documents.pdf(pages, title="Volcanoes"), "application/pdf")}
        )
    elif kind == "docx":
        data = documents.docx(
            title="Volcanoes", heading="Volcanoes", paragraphs=PARAGRAPHS[:-4], items=PARAGRAPHS[-4:-2], table=()
        )
        made = await api.post(
            "/v1/sources",
            files={"file": ("v.docx", data, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")},
        )
    elif kind == "html":
        made = await api.post("/v1/sources", json={"url": f"{site}/volcanoes.html"})
    else:
        made = await api.post(
            "/v1/sources", files={"file": ("v.md", documents.markdown("Volcanoes", PARAGRAPHS), "text/markdown")}
        )
    assert made.status_code == 201, made.text
    source: dict[str, Any] = made.json()
    assert source["kind"] == kind
    return source


@pytest.mark.parametrize("kind", ["pdf", "docx", "html", "markdown"])
async def test_a_document_becomes_a_job_whose_evidence_is_the_source_between_its_offsets(
    api: httpx.AsyncClient, site: str, kind: str
) -> None:
    source = await add(api, kind, site)
    created = await api.post("/v1/jobs", json={"source_ids": [source["id"]]})
    assert created.status_code == 202, created.text
    job = await wait_for_job(api, created.json()["id"], polls=20_000)
    assert job["status"] == "succeeded", job
    assert set(job["artifacts"]) == {a.value for a in artifact_types()} and len(job["artifacts"]) == 9
    whole = (await api.get(f"/v1/sources/{source['id']}/text")).text
    pages = source["pages"]
    page_text = []
    if kind == "pdf":
        assert pages and pages > 1
    checked = 0
    for name, field in ITEMS.items():
        artifact = (await api.get(f"/v1/jobs/{job['id']}/artifacts/{name}")).json()
        assert artifact["grounded"] is True
        items = artifact["content"][field]
        assert artifact["grounding"]["supported"] + artifact["grounding"]["unsupported"] == len(items)
        assert artifact["grounding"]["supported"] >= len(items) * 0.6, (name, artifact["grounding"])
        for item in items:
            for evidence in item["evidence"]:
                assert evidence["source_id"] == source["id"]
                assert whole[evidence["start"] : evidence["end"]] == evidence["quote"]
                checked += 1
                if kind == "pdf":
                    span = await api.get(
                        f"/v1/sources/{source['id']}/text", params={"start": evidence["start"], "end": evidence["end"]}
                    )
                    assert span.json()["page"] == evidence["page"]
                    page_text.append((evidence["page"], evidence["quote"]))
                else:
                    assert evidence["page"] is None
    assert checked > 20
    if kind == "pdf":
        # The page named is the page the passage is printed on: its text is in that page's share of the PDF.
        raw = documents.pdf_pages_text(
            documents.pdf([" ".join(PARAGRAPHS[i : i + 5]) for i in range(0, len(PARAGRAPHS), 5)], title="Volcanoes")
        )
        for page, quote in page_text:
            assert " ".join(quote.split()[:4]) in " ".join(raw[page - 1].split()), (page, quote)
