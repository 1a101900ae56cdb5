"""Finding quotes in a source: what the comparison forgives and what it does not, and how evidence moves to a
job's own sources."""

from __future__ import annotations

import httpx

from app.content.grounding import SourceRef, index_source, localise, take_quotes, verified
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import text

SOURCE = "# Cells\n\nThe **mitochondrion** is the cell\u2019s power-house. It makes ATP from glucose and oxygen.\n"


def test_case_whitespace_quote_marks_dashes_and_markup_are_forgiven_and_the_quote_is_the_source() -> None:
    index = index_source(SOURCE)
    found = index.evidence("the mitochondrion is the CELL'S power house")
    assert found is not None
    assert SOURCE[found.start : found.end] == found.quote == "The **mitochondrion** is the cell\u2019s power-house"


def test_words_must_be_whole_and_quotes_long_enough_to_mean_something() -> None:
    index = index_source(SOURCE)
    assert index.find("akes ATP from glucose") is None  # starts inside a word
    assert index.find("ATP") is None  # too short to support anything
    assert index.find("It makes ATP from sugar and oxygen") is None  # reworded


def test_a_partial_quote_keeps_the_longest_opening_or_closing_run() -> None:
    source = "Enzymes lower the activation energy [see figure 2](https://example.org/fig2) of a chemical reaction."
    index = index_source(source)
    quote = "Enzymes lower the activation energy see figure 2 of a chemical reaction."
    assert index.find(quote) is None
    start, end = index.find(quote, partial=True) or (0, 0)
    assert source[start:end] == "Enzymes lower the activation energy [see figure 2"


def test_evidence_moves_to_its_own_source_and_never_straddles_two() -> None:
    first, second = "Alpha waves appear when the eyes close.", "Beta waves dominate while the mind is busy."
    joined = f"{first}\n\n{second}"
    refs = (
        SourceRef(id="s1", title="A", start=0, end=len(first)),
        SourceRef(id="s2", title="B", start=len(first) + 2, end=len(joined), page_starts=(0, 20)),
    )
    index = index_source(joined)
    inside = index.evidence("Beta waves dominate while the mind is busy")
    across = index.evidence("when the eyes close. Beta waves dominate")
    assert inside is not None and across is not None
    items: list[dict[str, object]] = [{"evidence": [inside.model_dump()]}, {"evidence": [across.model_dump()]}]
    moved = localise(items, refs)
    evidence = moved[0]["evidence"][0]  # type: ignore[index]
    assert evidence["source_id"] == "s2" and second[evidence["start"] : evidence["end"]] == evidence["quote"]
    assert evidence["page"] == 1
    assert moved[1]["evidence"] == []


def test_evidence_made_for_another_spelling_is_found_again_or_dropped() -> None:
    spaced = "Volcanoes  form where magma rises.   Lava cools into new rock on the surface."
    tight = "Volcanoes form where magma rises. Lava cools into new rock on the surface."
    made = index_source(spaced).evidence("Lava cools into new rock on the surface")
    assert made is not None
    items = verified(
        [{"evidence": [made.model_dump()]}, {"evidence": [{**made.model_dump(), "quote": "x" * 20}]}], tight
    )
    evidence = items[0]["evidence"][0]  # type: ignore[index]
    assert tight[evidence["start"] : evidence["end"]] == evidence["quote"]
    assert items[1]["evidence"] == []


def test_a_models_own_evidence_is_never_taken() -> None:
    raw = {"cards": [{"front": "f", "quotes": ["q1"], "evidence": [{"source_id": "x", "start": 0, "end": 9}]}]}
    assert take_quotes(raw, "cards") == [["q1"]]
    assert raw == {"cards": [{"front": "f"}]}


async def test_a_cached_artifact_of_a_differently_spaced_text_gets_evidence_for_this_text(
    extractive_client: httpx.AsyncClient,
) -> None:
    base = text("prose/volcanoes.txt")
    jobs = []
    for variant in (base, base.replace(". ", ".\n\n      ")):
        created = await extractive_client.post("/v1/jobs", json={"source_text": variant, "artifacts": ["flashcards"]})
        jobs.append((variant, await wait_for_job(extractive_client, created.json()["id"], polls=20_000)))
    assert jobs[1][1]["artifacts"]["flashcards"]["cached"] is True
    for variant, job in jobs:
        cards = (await extractive_client.get(f"/v1/jobs/{job['id']}/artifacts/flashcards")).json()
        evidence = [e for card in cards["content"]["cards"] for e in card["evidence"]]
        assert evidence
        assert all(variant[e["start"] : e["end"]] == e["quote"] for e in evidence)
