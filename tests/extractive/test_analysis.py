from __future__ import annotations

import dataclasses

import pytest

from app.extractive import Analysis, analyse
from app.extractive.sections import MAX_SECTIONS, MIN_SECTIONS
from tests.fixtures.samples import ALL, LONG, read


def test_the_same_text_is_analysed_once() -> None:
    text = read("photosynthesis")
    assert analyse(text) is analyse(text[:])
    assert analyse("".join(list(text))) is analyse(text)


def test_an_analysis_is_immutable() -> None:
    analysis = analyse(read("photosynthesis"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        analysis.sentences = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        analysis.definitions["x"] = "y"  # type: ignore[index]


@pytest.mark.parametrize("name", ALL)
def test_one_score_and_one_mention_list_per_sentence(name: str) -> None:
    analysis = analyse(read(name))
    n = len(analysis.sentences)
    assert len(analysis.scores) == len(analysis.mentions) == len(analysis.paragraph_of) == n
    assert analysis.keyphrases
    assert all(k.sentences and all(0 <= i < n for i in k.sentences) for k in analysis.keyphrases)


@pytest.mark.parametrize("name", ALL)
def test_sections_cover_the_text_in_order_with_unique_titles(name: str) -> None:
    analysis: Analysis = analyse(read(name))
    assert MIN_SECTIONS <= len(analysis.sections) <= MAX_SECTIONS
    covered = [i for section in analysis.sections for i in section.sentences]
    assert covered == list(range(len(analysis.sentences)))
    titles = [s.title.casefold() for s in analysis.sections]
    assert len(set(titles)) == len(titles)


def test_headings_name_the_sections_of_a_structured_text() -> None:
    analysis = analyse(read(LONG))
    assert analysis.title == "The Human Immune System"
    titles = [s.title for s in analysis.sections]
    assert "Innate Immunity" in titles
    assert "Vaccination" in titles


def test_sections_of_plain_prose_start_at_paragraph_breaks() -> None:
    analysis = analyse(read("tcp_congestion_control"))
    for section in analysis.sections[1:]:
        first = section.sentences[0]
        assert analysis.paragraph_of[first] != analysis.paragraph_of[first - 1]


def test_definitions_map_terms_to_sentences_of_the_text() -> None:
    analysis = analyse(read("photosynthesis"))
    assert analysis.definitions["ATP"].startswith("ATP is the energy currency of the cell")
    assert set(analysis.definitions.values()) <= set(analysis.sentences)


def test_best_returns_the_top_sentences_in_document_order() -> None:
    analysis = analyse(read("photosynthesis"))
    best = analysis.best(range(len(analysis.sentences)), 3)
    assert best == sorted(best)
    others = set(range(len(analysis.sentences))) - set(best)
    assert min(analysis.scores[i] for i in best) >= max(analysis.scores[i] for i in others)


def test_a_text_analysed_by_several_threads_at_once_is_analysed_once() -> None:
    import threading

    text = read("photosynthesis") + "\n\nA sentence only this test adds, so the text is new."
    results: list[Analysis] = []
    start = threading.Barrier(4)

    def work() -> None:
        start.wait()
        results.append(analyse(text))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(r is results[0] for r in results)  # one analysis, shared
