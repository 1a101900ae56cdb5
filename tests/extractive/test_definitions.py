from __future__ import annotations

import pytest

from app.extractive.definitions import find_definitions

KNOWN = {"chlorophyll", "stomata", "photorespiration", "ATP", "atp", "lithosphere", "calvin cycle", "photosynthesi"}


@pytest.mark.parametrize(
    ("sentence", "key", "verb", "article"),
    [
        ("Chlorophyll is the green pigment that absorbs light.", "chlorophyll", "is", ""),
        ("The lithosphere is the rigid outer layer of the Earth.", "lithosphere", "is", "the"),
        ("This wasteful side reaction is called photorespiration, and it is common.", "photorespiration", "is", ""),
        ("ATP (adenosine triphosphate) is a small molecule.", "atp", "is", ""),
        ("The Calvin cycle refers to the light-independent reactions.", "calvin cycle", "refers to", "the"),
    ],
)
def test_defining_sentences_are_recognised(sentence: str, key: str, verb: str, article: str) -> None:
    found = find_definitions([sentence], KNOWN)
    assert found[key].sentence == 0
    assert found[key].verb == verb
    assert found[key].article == article


@pytest.mark.parametrize(
    "sentence",
    [
        "Chlorophyll is important for plants.",  # says something about it, but does not say what it is
        "What is chlorophyll?",
        "In summer the stomata are open.",
        "The rate of photosynthesis is the product of many factors.",  # the subject is "rate of photosynthesis"
    ],
)
def test_other_sentences_define_nothing(sentence: str) -> None:
    assert find_definitions([sentence], KNOWN) == {}


def test_the_first_definition_wins_and_unknown_terms_are_skipped() -> None:
    found = find_definitions(
        ["Chlorophyll is a pigment.", "Chlorophyll is the green pigment.", "Xanthophyll is a pigment."], KNOWN
    )
    assert list(found) == ["chlorophyll"]
    assert found["chlorophyll"].sentence == 0
