"""Every fixture text, in every served language, builds every artifact without a defect the rules of
``make quality`` can detect: no markup or code, no standalone sentence that opens by referring back, no
repeated host line, no blank on a stopword, number or unit, no reading question without answer and passage."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.extractive.language import SERVED
from scripts.quality import TEXTS, fixture_texts, survey_one

FIXTURES = fixture_texts()


def test_every_served_language_has_fixture_texts() -> None:
    assert {language for _, language in FIXTURES} >= set(SERVED)


@pytest.mark.parametrize(("path", "language"), FIXTURES, ids=[str(p.relative_to(TEXTS)) for p, _ in FIXTURES])
async def test_no_detectable_defect_in_any_artifact(path: Path, language: str) -> None:
    result = await survey_one(str(path.relative_to(TEXTS)), path.read_text(encoding="utf-8"), language)
    assert result.skipped is None, result.skipped
    assert result.failed == ()
    assert [f"{d.artifact}.{d.field} [{d.rule}] {d.text}" for d in result.defects] == []
