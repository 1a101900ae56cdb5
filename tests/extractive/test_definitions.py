from __future__ import annotations

from collections.abc import Sequence

import pytest

from app.extractive.definitions import Definition, find_definitions
from app.extractive.keyphrases import key_of

KNOWN = {"chlorophyll", "stoma", "photorespiration", "atp", "lithosphere", "calvin cycle", "photosynthesis"}


def defined(sentences: Sequence[str], known: set[str] = KNOWN, language: str = "en") -> dict[str, Definition]:
    return find_definitions(sentences, known, lambda ws: key_of(ws, language), language)


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
    found = defined([sentence])
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
    assert defined([sentence]) == {}


def test_the_first_definition_wins_and_unknown_terms_are_skipped() -> None:
    found = defined(["Chlorophyll is a pigment.", "Chlorophyll is the green pigment.", "Xanthophyll is a pigment."])
    assert list(found) == ["chlorophyll"]
    assert found["chlorophyll"].sentence == 0


@pytest.mark.parametrize(
    ("language", "sentence", "key"),
    [
        ("de", "Als Verdunstung bezeichnet man den Übergang von flüssigem Wasser in Wasserdampf.", "verdunstung"),
        ("de", "Der Wasserkreislauf ist die ständige Bewegung des Wassers zwischen Meer und Land.", "wasserkreislauf"),
        ("de", "Unter Niederschlag versteht man Wasser, das aus der Atmosphäre auf die Erde fällt.", "niederschlag"),
        ("fr", "On appelle révolution industrielle le passage d’une économie agricole à une économie industrielle.",
         "révolution industriel"),
        ("fr", "La machine à vapeur est un moteur qui transforme la chaleur en travail.", "machine à vapeur"),
        ("es", "El sistema solar es el conjunto formado por el Sol y los cuerpos que giran a su alrededor.",
         "sistema solar"),
        ("es", "Se llama planeta enano a un cuerpo que no ha limpiado su órbita.", "planeta enano"),
    ],
)  # fmt: skip
def test_definitions_are_recognised_in_each_language(language: str, sentence: str, key: str) -> None:
    found = defined([sentence], {key}, language)
    assert key in found, (sentence, key)


@pytest.mark.parametrize(
    ("language", "sentence", "key"),
    [
        ("de", "Die Verdunstung ist im Sommer besonders stark.", "verdunstung"),  # says something, defines nothing
        ("fr", "La machine à vapeur est importante pour les usines.", "machine à vapeur"),
        ("es", "El sistema solar es muy grande.", "sistema solar"),
    ],
)
def test_statements_about_a_term_do_not_define_it(language: str, sentence: str, key: str) -> None:
    assert defined([sentence], {key}, language) == {}
