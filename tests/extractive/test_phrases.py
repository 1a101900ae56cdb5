from __future__ import annotations

import pytest

from app.extractive.phrases import is_content, phrase_key, runs, spans
from app.extractive.text import words


@pytest.mark.parametrize(
    ("token", "position", "expected"),
    [
        ("chlorophyll", 3, True),
        ("the", 3, False),
        ("quickly", 3, False),  # an adverb
        ("family", 3, True),  # a noun that ends in -ly
        ("Third", 3, True),  # a common word, capitalised inside a sentence: part of a name
        ("third", 3, False),
        ("1789", 3, False),
        ("ATP", 3, True),
        ("of", 3, False),
    ],
)
def test_content_words(token: str, position: int, expected: bool) -> None:
    assert is_content(token, position) is expected


def _phrases(sentence: str) -> list[str]:
    tokens = words(sentence)
    return [" ".join(tokens[a:b]) for run in runs(tokens) for a, b in spans(run, tokens)]


def test_runs_are_split_at_stopwords_and_yield_every_sub_run() -> None:
    assert _phrases("The Calvin cycle builds sugar.") == [
        "Calvin",
        "Calvin cycle",
        "cycle",
        "sugar",
    ]


def test_of_joins_two_names_but_not_ordinary_words() -> None:
    assert "Reign of Terror" in _phrases("It began the Reign of Terror in France.")
    assert "Committee of Public Safety" in _phrases("Power went to the Committee of Public Safety.")
    assert not any(" of " in p for p in _phrases("The rate of photosynthesis rises."))


def test_phrase_keys_are_singular_and_lower_case() -> None:
    assert phrase_key(["Light-dependent", "Reactions"]) == "light-dependent reaction"
    assert phrase_key(["Reign", "of", "Terror"]) == "reign of terror"
