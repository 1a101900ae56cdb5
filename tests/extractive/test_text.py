from __future__ import annotations

import pytest

from app.content.models import _normalised
from app.extractive.lexicon import lemma, words
from app.extractive.text import (
    LINE_LIMIT,
    clip,
    in_sentence,
    join_within,
    normalised,
    parse,
    split_sentences,
    title_case,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Plants need light, e.g. sunlight or lamps. Animals do not.",
            ["Plants need light, e.g. sunlight or lamps.", "Animals do not."],
        ),
        (
            "Dr. Smith met Mr. Jones at noon. They talked.",
            ["Dr. Smith met Mr. Jones at noon.", "They talked."],
        ),
        ("Pi is about 3.14 here. The value 2.5 is smaller.", ["Pi is about 3.14 here.", "The value 2.5 is smaller."]),
        (
            'She said, "It works." Then she left. "Why?" he asked.',
            ['She said, "It works."', "Then she left.", '"Why?" he asked.'],
        ),
        ("Is it warm? Yes! It is warm.", ["Is it warm?", "Yes!", "It is warm."]),
        ("J. K. Rowling wrote books. See No. 5 for details.", ["J. K. Rowling wrote books.", "See No. 5 for details."]),
        ("The U.S. Army marched. It was 1776.", ["The U.S. Army marched.", "It was 1776."]),
        ("Wait... then it rained. Everyone left.", ["Wait... then it rained.", "Everyone left."]),
        ("It grew (see Fig. 2) quickly. Then it stopped.", ["It grew (see Fig. 2) quickly.", "Then it stopped."]),
    ],
)
def test_split_sentences_keeps_abbreviations_decimals_and_quotes(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_lines_of_a_paragraph_are_joined_and_paragraphs_numbered() -> None:
    document = parse(
        "Photosynthesis happens in\nthe leaves of green plants. It needs light.\n\n"
        "Respiration releases the energy\nstored in sugar."
    )
    assert document.sentences == (
        "Photosynthesis happens in the leaves of green plants. It needs light.",  # "It" is joined to its subject
        "Respiration releases the energy stored in sugar.",
    )
    assert document.paragraph_of == (0, 1)


def test_bullets_become_sentences_of_their_own() -> None:
    document = parse(
        "The cycle has three stages:\n- carbon fixation by RuBisCO\n* reduction of the three-carbon molecules\n"
        "1. regeneration of the starting sugar\n• a final bullet point here"
    )
    assert document.sentences == (
        "The cycle has three stages:",
        "carbon fixation by RuBisCO",
        "reduction of the three-carbon molecules",
        "regeneration of the starting sugar",
        "a final bullet point here",
    )


def test_headings_are_kept_apart_from_sentences() -> None:
    document = parse(
        "# A Guide to Leaves\n\nLeaves make food for the plant.\n\nThe Parts of a Leaf\n\n"
        "The blade is the flat part of a leaf.\n\n## Veins\nVeins carry water to the blade."
    )
    assert document.title == "A Guide to Leaves"
    assert document.headings == ((1, "The Parts of a Leaf"), (2, "Veins"))
    assert document.sentences == (
        "Leaves make food for the plant.",
        "The blade is the flat part of a leaf.",
        "Veins carry water to the blade.",
    )


def test_fragments_and_repeated_sentences_are_dropped() -> None:
    document = parse("Yes. Leaves are green because of chlorophyll.\n\nLeaves  are green because of chlorophyll!")
    assert document.sentences == ("Leaves are green because of chlorophyll.",)


def test_windows_newlines_tabs_and_no_break_spaces_are_plain_space() -> None:
    document = parse("Leaves are\r\ngreen\tand\u00a0flat.\r\n\r\nRoots are long and thin.")
    assert document.sentences == ("Leaves are green and flat.", "Roots are long and thin.")


def test_a_run_on_text_is_cut_into_line_sized_pieces_at_word_boundaries() -> None:
    run_on = " ".join(f"word{i}" for i in range(1_000))
    document = parse(run_on)
    assert len(document.sentences) > 1
    assert all(len(s) <= LINE_LIMIT for s in document.sentences)
    assert " ".join(document.sentences) == run_on


def test_words_keep_hyphens_and_apostrophes() -> None:
    assert words("The light-dependent reactions (ATP's role) don't stop.") == [
        "The",
        "light-dependent",
        "reactions",
        "ATP's",
        "role",
        "don't",
        "stop",
    ]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Reactions", "reaction"),
        ("ATP's", "atp"),
        ("colonies", "colony"),
        ("glasses", "glass"),
        ("process", "process"),
        ("analysis", "analysis"),
        ("status", "status"),
        ("gas", "gas"),
    ],
)
def test_lemma_makes_a_singular_lower_case_key(word: str, expected: str) -> None:
    assert lemma(word) == expected


@pytest.mark.parametrize(
    ("word", "language", "expected"),
    [("Wassers", "de", "wasser"), ("usines", "fr", "usine"), ("planetas", "es", "planeta"), ("Wolken", "de", "wolke")],
)
def test_lemma_serves_each_language(word: str, language: str, expected: str) -> None:
    assert lemma(word, language) == expected


def test_clip_cuts_at_a_word_boundary() -> None:
    text = "alpha beta gamma delta epsilon"
    assert clip(text, 100) == text
    clipped = clip(text, 20)
    assert len(clipped) <= 20
    assert clipped == "alpha beta gamma…"


def test_join_within_stops_before_the_limit() -> None:
    assert join_within(["one two.", "three four.", "five six."], limit=21) == "one two. three four."


def test_title_case_keeps_acronyms_and_lowers_small_words() -> None:
    assert title_case("light-dependent reactions") == "Light-Dependent Reactions"
    assert title_case("Committee of Public Safety") == "Committee of Public Safety"
    assert title_case("ATP synthase") == "ATP Synthase"
    assert in_sentence("The French Revolution") == "the French Revolution"


@pytest.mark.parametrize("text", ["What is ATP?", "  What  is\nATP. ", "WHAT IS ATP!"])
def test_normalised_matches_the_models_uniqueness_rule(text: str) -> None:
    assert normalised(text) == _normalised(text)
