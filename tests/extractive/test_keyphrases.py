from __future__ import annotations

import pytest

from app.extractive import analyse
from app.extractive.keyphrases import extract
from app.extractive.lexicon import lemma
from app.extractive.text import parse
from tests.fixtures.samples import ALL, DISTINCTIVE, read


@pytest.mark.parametrize("name", ALL)
def test_the_top_terms_include_the_texts_distinctive_terms(name: str) -> None:
    top = [k.key for k in analyse(read(name)).keyphrases[:30]]
    for term in DISTINCTIVE[name]:
        assert " ".join(lemma(w) for w in term.split()) in top, (term, top)


def test_a_longer_term_takes_over_the_words_it_is_made_of() -> None:
    keys = {k.key for k in analyse(read("photosynthesis")).keyphrases}
    assert "carbon dioxide" in keys
    assert "carbon" not in keys
    assert "dioxide" not in keys


def test_names_joined_by_of_are_one_term() -> None:
    texts = {k.text for k in analyse(read("french_revolution")).keyphrases}
    assert {"Reign of Terror", "Committee of Public Safety", "Third Estate"} <= texts
    # Pieces of a longer name are not terms of their own: "Committee of Public", "Public Safety", "Man" (the
    # Declaration of the Rights of Man, named once).
    assert not texts & {"Committee of Public", "Public Safety", "Man"}


def test_verb_phrases_and_lone_modifiers_are_not_terms() -> None:
    keys = {k.key for k in analyse(read("photosynthesis")).keyphrases}
    assert not keys & {"releases oxygen", "build sugar", "save water", "green", "inside"}
    french = {k.key for k in analyse(read("french_revolution")).keyphrases}
    assert not french & {"french", "abolished", "ended"}


@pytest.mark.parametrize(
    ("name", "term", "opening"),
    [
        ("photosynthesis", "chlorophyll", "Chlorophyll is the green pigment"),
        ("photosynthesis", "calvin cycle", "The Calvin cycle is the set"),
        # Joined to the sentence it refers back to: "RuBisCO has a weakness: … This wasteful side reaction is …"
        ("photosynthesis", "photorespiration", "RuBisCO has a weakness"),
        ("tcp_congestion_control", "slow start", "Slow start is the phase"),
        ("plate_tectonics", "lithosphere", "The lithosphere is the rigid outer layer"),
        ("french_revolution", "national assembly", "The National Assembly was a new body"),
    ],
)
def test_definitions_are_found(name: str, term: str, opening: str) -> None:
    analysis = analyse(read(name))
    keyphrase = analysis.by_key[term]
    assert keyphrase.definition is not None
    assert analysis.sentences[keyphrase.definition].startswith(opening)
    assert analysis.definitions[keyphrase.text] == analysis.sentences[keyphrase.definition]


def test_terms_carry_the_article_and_verb_a_question_needs() -> None:
    photosynthesis = analyse(read("photosynthesis")).by_key
    assert photosynthesis["calvin cycle"].phrase == "the Calvin cycle"
    assert photosynthesis["photosystem"].phrase == "a photosystem"
    assert photosynthesis["photosynthesis"].phrase == "photosynthesis"
    tectonics = analyse(read("plate_tectonics")).by_key
    assert tectonics["plate tectonics"].copula == "is"  # "Plate tectonics is the scientific theory …"
    assert tectonics["earthquake"].copula == "are"
    assert analyse(read("french_revolution")).by_key["french revolution"].copula == "was"


def test_acronyms_keep_their_capitals() -> None:
    texts = {k.text for k in analyse(read("tcp_congestion_control")).keyphrases}
    assert {"CUBIC", "AIMD", "BBR"} <= texts


def test_mentions_list_only_ranked_terms() -> None:
    keyphrases, mentions = extract(parse(read("plate_tectonics")).sentences)
    known = {k.key for k in keyphrases}
    assert all(key in known for keys in mentions for key in keys)
    assert keyphrases == sorted(keyphrases, key=lambda k: -k.score)


def test_an_empty_text_has_no_terms() -> None:
    assert extract([]) == ([], [])
