from __future__ import annotations

from app.content.models import Outline
from app.extractive import analyse
from app.extractive.sections import plan_sections, sections_for
from tests.fixtures.extractive import foreign_outline
from tests.fixtures.samples import read


def test_the_planned_sections_are_used_when_the_outline_is_the_engines_own() -> None:
    analysis = analyse(read("photosynthesis"))
    outline = Outline.model_validate(
        {
            "title": "T",
            "overview": "O",
            "learning_objectives": ["a", "b", "c"],
            "sections": [
                {"number": n, "title": s.title.upper(), "summary": "s", "key_points": ["k"]}
                for n, s in enumerate(analysis.sections, start=1)
            ],
            "difficulty": "advanced",
        }
    )
    assert sections_for(analysis, outline) == list(analysis.sections)
    assert sections_for(analysis, None) == list(analysis.sections)


def test_a_foreign_outline_gets_the_sentences_that_share_its_words() -> None:
    analysis = analyse(read("photosynthesis"))
    sections = sections_for(analysis, foreign_outline())
    titles = ["Capturing Light", "Making Sugar", "Coping with Heat", "An Unrelated Section"]
    assert [s.title for s in sections] == titles
    assert all(s.sentences for s in sections)
    assert any("CAM plants" in analysis.sentences[i] for i in sections[2].sentences)
    assert any("RuBisCO" in analysis.sentences[i] for i in sections[1].sentences)


def test_a_short_text_gets_one_section_per_sentence() -> None:
    sections = plan_sections(2, [0, 0], [], [[], []], [])
    assert [s.sentences for s in sections] == [(0,), (1,)]
    assert plan_sections(0, [], [], [], []) == []


def test_titles_stay_unique_when_headings_repeat() -> None:
    mentions: list[list[str]] = [[] for _ in range(6)]
    sections = plan_sections(6, [0, 0, 1, 1, 2, 2], [(2, "Summary"), (4, "Summary")], mentions, [])
    titles = [s.title for s in sections]
    assert titles == ["Part 1", "Summary", "Part 3"]
