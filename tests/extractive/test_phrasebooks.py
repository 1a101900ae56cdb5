from __future__ import annotations

import dataclasses
import re
import string
from collections.abc import Iterator

import pytest

from app.extractive.phrasebook import ENGLISH, Phrasebook
from app.extractive.phrasebook_de import GERMAN
from app.extractive.phrasebook_es import SPANISH
from app.extractive.phrasebook_fr import FRENCH

NBSP = "\u00a0"
BOOKS = {"en": ENGLISH, "de": GERMAN, "fr": FRENCH, "es": SPANISH}
FOREIGN = {code: book for code, book in BOOKS.items() if code != "en"}

TERM = frozenset({"term"})
PAIR = frozenset({"term", "other"})
NONE: frozenset[str] = frozenset()
# The placeholders each template field takes (outside English, exactly these).
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "objectives": TERM,
    "untitled": NONE,
    "part": frozenset({"n"}),
    "study_guide_title": frozenset({"title"}),
    "podcast_title": frozenset({"title"}),
    "what_is": TERM,
    "know_about": TERM,
    "says_about": TERM,
    "cloze": frozenset({"sentence"}),
    "quiz_defined": frozenset({"sentence"}),
    "quiz_term": frozenset({"sentence"}),
    "quiz_name": frozenset({"sentence"}),
    "quiz_year": frozenset({"sentence"}),
    "quiz_number": frozenset({"sentence"}),
    "definition_questions": TERM,
    "cause_questions": TERM,
    "process_questions": TERM,
    "comparison_questions": PAIR,
    "event_questions": TERM,
    "relation_questions": PAIR,
    "application_questions": TERM,
    "evaluation_questions": TERM,
    "host": NONE,
    "guest": NONE,
    "host_role": NONE,
    "guest_role": NONE,
    "welcomes": frozenset({"title"}),
    "introductions": NONE,
    "transitions": frozenset({"section"}),
    "follow_ups": TERM,
    "prompts": NONE,
    "summaries": frozenset({"topics"}),
    "closings": NONE,
    "guest_closings": NONE,
    "and_word": NONE,
    "and_more": NONE,
    "shorter": frozenset({"minutes"}),
}
CUES = ("cause_cues", "process_cues", "comparison_cues")
SETTINGS = ("language", "open_quote", "close_quote")
ENGLISH_HELPERS = frozenset({"phrase", "copula", "does"})
# The fewest variants these tuples may have (more than ENGLISH offers).
MINIMUM_VARIANTS = {"follow_ups": 5, "prompts": 4, "transitions": 4}

SAMPLES: dict[str, dict[str, object]] = {
    "en": {
        "term": "evaporation",
        "phrase": "evaporation",
        "copula": "is",
        "does": "does",
        "other": "condensation",
        "title": "The Water Cycle",
        "section": "Precipitation",
        "sentence": "Water _____ when it is heated.",
        "topics": "A, B and C",
        "n": 2,
        "minutes": 10,
    },
    "de": {
        "term": "Verdunstung",
        "other": "Kondensation",
        "title": "Der Wasserkreislauf",
        "section": "Niederschlag",
        "sentence": "Wasser _____ bei Wärme.",
        "topics": "A, B und C",
        "n": 2,
        "minutes": 10,
    },
    "fr": {
        "term": "évaporation",
        "other": "condensation",
        "title": "Le cycle de l’eau",
        "section": "Les précipitations",
        "sentence": "L’eau _____ sous l’effet de la chaleur.",
        "topics": "A, B et C",
        "n": 2,
        "minutes": 10,
    },
    "es": {
        "term": "evaporación",
        "other": "condensación",
        "title": "El ciclo del agua",
        "section": "Las precipitaciones",
        "sentence": "El agua _____ con el calor.",
        "topics": "A, B y C",
        "n": 2,
        "minutes": 10,
    },
}


def _variants(book: Phrasebook, field: str) -> tuple[str, ...]:
    value: str | tuple[str, ...] = getattr(book, field)
    return value if isinstance(value, tuple) else (value,)


def _templates(book: Phrasebook) -> Iterator[tuple[str, str]]:
    """Every template of a phrasebook, with the field it belongs to."""
    for field in PLACEHOLDERS:
        for template in _variants(book, field):
            yield field, template


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("code", BOOKS)
def test_every_field_is_classified_and_filled(code: str) -> None:
    book = BOOKS[code]
    fields = [field.name for field in dataclasses.fields(Phrasebook)]
    assert set(fields) == set(PLACEHOLDERS) | set(CUES) | set(SETTINGS)
    assert book.language == code
    for field in fields:
        value = getattr(book, field)
        if code == "en" and field in ("open_quote", "close_quote"):
            assert value == ""  # English sets terms in its sentences without quotes
            continue
        assert value, field
        for variant in _variants(book, field):
            assert isinstance(variant, str)
            assert variant.strip(), field
    for field in PLACEHOLDERS:
        for variant in _variants(book, field):
            assert variant == variant.strip(), (field, variant)
            assert "  " not in variant, (field, variant)


@pytest.mark.parametrize("code", BOOKS)
def test_templates_use_the_placeholders_their_field_allows(code: str) -> None:
    book = BOOKS[code]
    for field, template in _templates(book):
        names = _names(template)
        allowed = PLACEHOLDERS[field]
        for _, name, spec, conversion in string.Formatter().parse(template):
            assert not spec and conversion is None, (field, template, name)
        if code != "en":
            assert not names & ENGLISH_HELPERS, (field, template)
            assert names == allowed, (field, template)
            continue
        helpers = ENGLISH_HELPERS if "term" in allowed else NONE
        assert names <= allowed | helpers, (field, template)
        assert allowed - {"term"} <= names, (field, template)
        if "term" in allowed:
            assert names & {"term", "phrase"}, (field, template)


@pytest.mark.parametrize("code", BOOKS)
def test_variants_are_distinct_and_at_least_as_many_as_english(code: str) -> None:
    book = BOOKS[code]
    for field in (*PLACEHOLDERS, *CUES):
        value = getattr(book, field)
        if not isinstance(value, tuple):
            continue
        folded = [variant.casefold() for variant in value]
        assert len(set(folded)) == len(folded), field
        assert len(value) >= len(getattr(ENGLISH, field)), field
        assert len(value) >= MINIMUM_VARIANTS.get(field, 1), field


@pytest.mark.parametrize("code", BOOKS)
def test_cues_are_lower_case_words_or_short_phrases(code: str) -> None:
    book = BOOKS[code]
    for field in CUES:
        cues: tuple[str, ...] = getattr(book, field)
        assert 12 <= len(cues) <= 20, field
        for cue in cues:
            assert cue == cue.lower() == cue.strip(), (field, cue)
            assert 1 <= len(cue.split()) <= 4, (field, cue)
            assert not set(cue) & set("{}.,;:?!"), (field, cue)


@pytest.mark.parametrize("code", BOOKS)
def test_samples_format_fully_and_quote_terms(code: str) -> None:
    book = BOOKS[code]
    sample = SAMPLES[code]
    for field, template in _templates(book):
        text = template.format(**sample)
        assert "{" not in text and "}" not in text, (field, text)
        names = _names(template)
        if "term" in names:
            assert book.quoted(str(sample["term"])) in text, (field, text)
        if "other" in names:
            assert book.quoted(str(sample["other"])) in text, (field, text)


@pytest.mark.parametrize("code", FOREIGN)
def test_quotes_are_the_languages_own_and_balanced(code: str) -> None:
    book = FOREIGN[code]
    assert book.quoted("x") == {"de": "„x“", "fr": f"«{NBSP}x{NBSP}»", "es": "«x»"}[code]
    for field, template in _templates(book):
        assert '"' not in template, (field, template)
        assert template.count(book.open_quote) == template.count(book.close_quote), (field, template)
        if "term" in _names(template):
            assert f"{book.open_quote}{{term}}{book.close_quote}" in template, (field, template)


def test_spanish_questions_and_exclamations_open_with_inverted_marks() -> None:
    for field, template in _templates(SPANISH):
        for opening, closing in (("¿", "?"), ("¡", "!")):
            open_marks = 0
            for char in template:
                if char == opening:
                    open_marks += 1
                elif char == closing:
                    assert open_marks > 0, (field, template)
                    open_marks -= 1
            assert open_marks == 0, (field, template)


def test_french_typography() -> None:
    for field, template in _templates(FRENCH):
        for i, char in enumerate(template):  # no template has a format spec, so every colon is punctuation
            if char in "?!:;»":
                assert i > 0 and template[i - 1] == NBSP, (field, template)
            if char == "«":
                assert template[i + 1 : i + 2] == NBSP, (field, template)
        assert "\u202f" not in template, (field, template)  # one kind of no-break space throughout
        assert "'" not in template, (field, template)  # typographic apostrophes only
    questions = [t for f, t in _templates(FRENCH) if f.endswith(("_questions", "what_is", "about", "follow_ups"))]
    assert questions
    assert all(question.endswith(f"{NBSP}?") for question in questions)


def test_german_typography() -> None:
    for field, template in _templates(GERMAN):
        assert "'" not in template and "»" not in template, (field, template)
        assert not re.search(r"\s[?!:;.,]", template), (field, template)


@pytest.mark.parametrize(
    ("code", "informal"),
    [
        ("de", r"\b(?:du|dich|dir|dein\w*|euch|euer)\b"),
        ("fr", r"\b(?:tu|toi|ton|tes)\b"),
        ("es", r"\b(?:tú|tu|tus|te|ti|vosotros)\b"),
    ],
)
def test_the_reader_and_the_guest_are_addressed_formally(code: str, informal: str) -> None:
    for field, template in _templates(FOREIGN[code]):
        assert not re.search(informal, template, re.IGNORECASE), (field, template)


@pytest.mark.parametrize("code", FOREIGN)
def test_list_words_and_headings(code: str) -> None:
    book = FOREIGN[code]
    assert book.part.format(n=2) == {"de": "Teil 2", "fr": "Partie 2", "es": "Parte 2"}[code]
    assert book.untitled == {"de": "Lesenotizen", "fr": "Notes de lecture", "es": "Notas de lectura"}[code]
    assert book.and_word == {"de": "und", "fr": "et", "es": "y"}[code]
    assert book.and_more.startswith(book.and_word + " ")
