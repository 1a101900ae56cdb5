"""The defect detectors of ``scripts/quality.py`` on small hand-made values: each flags what it should, and none
flags ordinary clean prose in English, German, French or Spanish."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scripts.quality import (
    GIVEN_AWAY,
    MARKUP_RESIDUE,
    MISSING_ANSWER,
    REPEATED_HOST_LINE,
    RULES,
    SAME_OPTION,
    TRIVIAL_BLANK,
    UNANSWERED_QUESTION,
    UNRESOLVED_REFERENCE,
    Defect,
    Survey,
    defects_of,
    first_sentence,
    fixture_texts,
    is_date,
    is_number,
    language_of,
    markup_in,
    markup_residue,
    option_words,
    quiz_defects,
    refers_back,
    repeated_host_line,
    same_template,
    same_word,
    table,
    trivial_answer,
    trivial_blank,
    unanswered_question,
    unresolved_reference,
)

# Ordinary prose, the kind the engine should emit: no rule may flag any of it.
CLEAN: dict[str, tuple[str, ...]] = {
    "en": (
        "The Calvin cycle uses ATP (adenosine triphosphate).",
        "Photosynthesis happens in two linked stages: the light-dependent reactions and the Calvin cycle.",
        "The import of grain rose sharply in 1789.",
        "For people in Paris, the price of bread mattered most.",
        "Cells divide; tissues grow; organs form.",
        "The ratio of carbon to oxygen is 1:2 in carbon dioxide.",
        "Those who study volcanoes are called volcanologists.",
        "There are three kinds of plate boundary.",
        "When light strikes photosystem II, it excites electrons in chlorophyll.",
        "IT departments keep the servers running.",
        "Mount Etna, the largest volcano in Europe, erupts every few years — often for weeks.",
        "The sender halves its window (a multiplicative decrease) when a packet is lost.",
    ),
    "de": (
        "Die Zelle ist die kleinste Einheit des Lebens (Zelltheorie).",
        "Merksatz: Zellen entstehen nicht neu, sondern immer durch Teilung.",
        "Es gibt drei Phasen: Verdunstung, Kondensation und Niederschlag.",
        "Es ist wichtig, die Phasen des Wasserkreislaufs zu kennen.",
        "Das Wasser verdunstet vor allem über den warmen Ozeanen.",
        "Es entstehen zwei genetisch identische Tochterzellen.",
        "Es wird keine Energie verbraucht.",
        "Mitochondrien sind die Kraftwerke der Zelle; sie liefern ATP.",
    ),
    "fr": (
        "Il y a trois phases.",
        "Il est possible de produire plus de fer avec le coke.",
        "Il faut beaucoup de charbon pour fondre le minerai.",
        "Il n'y a ni égouts ni eau potable dans les faubourgs.",
        "La machine à vapeur (1769) transforme l'industrie textile.",
        "Ce que les ouvriers demandent, c'est un salaire décent.",
        "Les usines s'installent près des mines : le charbon coûte cher à transporter.",
        "« Le progrès » devient un mot d'ordre au XIXe siècle.",
    ),
    "es": (
        "El Sol contiene el 99,8 % de la masa del sistema solar.",
        "Hay ocho planetas: Mercurio, Venus, la Tierra y Marte son rocosos.",
        "La Tierra es el tercer planeta (contando desde el Sol).",
        "Es posible que haya agua líquida bajo el hielo de Europa.",
        "Tal vez existan más planetas enanos más allá de Neptuno.",
        "¿Por qué Plutón ya no se considera un planeta?",
        "Júpiter tiene al menos 95 lunas conocidas.",
    ),
}
ALL_CLEAN = [(language, sentence) for language, sentences in CLEAN.items() for sentence in sentences]


# --- markup residue ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Introduction\n============\nThe immune system protects the body.",
        "=========================\nfetchkit User Guide",
        "Default headers and cookies ~~~~~~~~~~~~~~~~~~~",
        "Installation ------------ fetchkit supports Python 3.9 and later.",
        "## Why sorting matters",
        "Sorting is a process. ### Bubble sort",
        "A **comparison sort** compares pairs of elements.",
        "The __init__ method runs first.",
        "A *session* holds configuration.",
        "It needs _O(1)_ extra space.",
        "Databases sort rows to answer `ORDER BY` queries.",
        "```python\nitems.sort()\n```",
        "~~~\nx\n~~~",
        "| Algorithm | Best case |",
        "|---|---|",
        "Algorithm | Best case | Worst case",
        "About 1,350 volcanoes are potentially active.[3]",
        "They lie along the Ring of Fire.[12]",
        "The figure is disputed.[^1]",
        "Most sources agree [#]_ on this.",
        ":func:`fetchkit.get` sends one request.",
        "Use :class:`Session` for many requests.",
        ".. note:: Sessions are not thread-safe.",
        ".. code-block:: python",
        "Install it with pip::",
        "The retry policy (see retry-policy_) applies.",
        "Read the [guide](https://example.org/guide) first.",
        "- A sort is stable if equal keys keep their order.",
        "> An algorithm must be seen to be believed.",
        "Water <b>boils</b> at 100 degrees.",
        "Line one<br/>line two.",
        "Salt &amp; pepper.",
        "print(fetchkit.__version__) shows the version.",
        "def insertion_sort(items): sorts a list in place.",
        "import fetchkit",
        "import numpy as np",
        "from fetchkit import Session",
        "for i in range(1, len(items)): key = items[i]",
        "for (int i = 0; i < n; i++) sum += a[i];",
        "if (ok) { retry(); }",
        "items.sort(key=lambda s: s.name)",
        "Call session.close() yourself.",
        "The built-in sorted() function uses Timsort.",
        "Set max_connections to ten.",
        "It refuses timeout=None by default.",
        "The key is x => x.name.",
        "It checks whether a == b.",
        "The delay is backoff_factor * 2 ** (n - 1) seconds.",
        "while j >= 0 and items[j] > key: j -= 1",
        ">>> import fetchkit",
    ],
)
def test_markup_and_code_are_residue(text: str) -> None:
    assert markup_in(text) is not None


@pytest.mark.parametrize(("language", "text"), ALL_CLEAN)
def test_clean_prose_is_not_residue(language: str, text: str) -> None:
    assert markup_in(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Fill in the blank: Six molecules of _____ and six molecules of water produce glucose.",
        "Fill in the blank: _____ is the green pigment that absorbs _____ for photosynthesis.",
        "Etna --- the largest volcano in Europe --- erupts often.",
        "The temperature fell to -5 °C, the lowest on record.",
        "Plants grow 2-3 cm a week (in summer).",
        "See chapter 3: The Calvin cycle.",
        "Note: the stroma holds the enzymes.",
        "The king [Louis XVI] was executed in 1793.",
        "Prices rose 5 * 3 times over the decade.",
        "A score of 8/10 is good.",
    ],
)
def test_blanks_dashes_brackets_and_colons_are_not_residue(text: str) -> None:
    assert markup_in(text) is None


def test_markup_residue_names_each_field_once_and_what_it_found() -> None:
    content: dict[str, Any] = {
        "cards": [
            {"front": "What is **ATP**?", "back": "ATP carries energy.[5]", "difficulty": "easy"},
            {"front": "What is a chloroplast?", "back": "An organelle of plant cells.", "difficulty": "easy"},
        ]
    }
    found = markup_residue("flashcards", content)
    assert [(d.artifact, d.field, d.rule) for d in found] == [
        ("flashcards", "cards[0].front", MARKUP_RESIDUE),
        ("flashcards", "cards[0].back", MARKUP_RESIDUE),
    ]
    assert "'**'" in found[0].text
    assert "footnote marker '[5]'" in found[1].text


# --- unresolved references -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "It absorbs red and blue light strongly."),
        ("en", "It is often said that plants breathe."),
        ("en", "It's the main pigment of the leaf."),
        ("en", "This wasteful side reaction is called photorespiration."),
        ("en", "These cells engulf bacteria."),
        ("en", "They were executed in 1794."),
        ("en", "His reforms failed within a year."),
        ("en", "Her speech moved the crowd."),
        ("en", "Its walls are rigid."),
        ("en", "Such plates move a few centimetres a year."),
        ("en", "Those reforms came too late."),
        ("en", "That process takes millions of years."),
        ("en", '"This," she said, "changes everything."'),
        ("de", "Es wechselt lediglich seinen Ort."),
        ("de", "Dies führt zu Niederschlag."),
        ("de", "Diese Energie stammt von der Sonne."),
        ("de", "Dieser Effekt treibt Gewitter an."),
        ("de", "Sie erwärmt die umgebende Luft."),
        ("de", "Er ist besonders groß, wenn der Boden gefroren ist."),
        ("de", "Seine Membran ist doppelt."),
        ("de", "Ihre Phasen sind kurz."),
        ("de", "Solche Zellen teilen sich schnell."),
        ("de", "Das ist eine Ursache für Krebs."),
        ("fr", "Il transforme en profondeur la société."),
        ("fr", "Elle consomme beaucoup de charbon."),
        ("fr", "Ils insistent sur la proto-industrialisation."),
        ("fr", "Cela change tout."),
        ("fr", "Ce processus commence en Grande-Bretagne."),
        ("fr", "Cette innovation libère la production de fer."),
        ("fr", "Ces machines sont regroupées dans des usines."),
        ("fr", "Son invention date de 1769."),
        ("fr", "Leurs salaires restent bas."),
        ("fr", "C'est pourquoi les historiens parlent de révolution."),
        ("fr", "Celles-ci grandissent très vite."),
        ("es", "Esta idea fue propuesta por Kant."),
        ("es", "Estos se agruparon para formar los planetas."),
        ("es", "Este proceso libera energía."),
        ("es", "Esto explica las estaciones."),
        ("es", "Su atmósfera es muy densa."),
        ("es", "Sus anillos son de hielo."),
        ("es", "Dicho modelo explica las órbitas."),
        ("es", "Ello explica el calor del núcleo."),
    ],
)
def test_openings_that_refer_back_are_caught(language: str, sentence: str) -> None:
    assert refers_back(sentence, language)


@pytest.mark.parametrize(("language", "sentence"), ALL_CLEAN)
def test_clean_prose_refers_to_nothing_before_it(language: str, sentence: str) -> None:
    assert not refers_back(sentence, language)


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "Those who study volcanoes are called volcanologists."),
        ("de", "Es gibt drei Phasen."),
        ("de", "Das Enzym spaltet Wasser."),
        ("fr", "Il y a trois phases."),
        ("fr", "Il est possible de produire plus."),
        ("fr", "Il est très important de ventiler les mines."),
        ("es", "Está compuesto sobre todo de hidrógeno."),  # a verb, not "esta"
        ("es", "El planeta gira en 88 días."),
    ],
)
def test_impersonal_openings_and_look_alikes_are_not_references(language: str, sentence: str) -> None:
    assert not refers_back(sentence, language)


def test_the_same_words_count_only_in_their_own_language() -> None:
    assert refers_back("Il transforme la société.", "fr")
    assert not refers_back("Il transforme la société.", "en")
    assert refers_back("Sie erwärmt die Luft.", "de-DE")
    assert language_of("es_ES") == "es"
    assert language_of("pt") == "en"


def test_first_sentence_stops_at_the_first_sentence_end() -> None:
    assert first_sentence("Plants need light. It drives the reaction.") == "Plants need light."
    assert first_sentence("  One sentence only  ") == "One sentence only"


def test_only_standalone_fields_are_checked_and_only_on_their_first_sentence() -> None:
    opening = "It absorbs red and blue light."
    artifacts: dict[str, dict[str, Any]] = {
        "flashcards": {
            "cards": [
                {"front": "What does chlorophyll absorb?", "back": opening, "difficulty": "easy"},
                {"front": "What is chlorophyll?", "back": f"Chlorophyll is a pigment. {opening}", "difficulty": "easy"},
            ]
        },
        "faq": {"items": [{"question": "What is light for?", "answer": opening}]},
        "study_guide": {"key_concepts": [{"term": "Light", "explanation": opening}], "overview": opening},
        "outline": {"sections": [{"title": "Light", "summary": opening, "key_points": ["Light matters.", opening]}]},
        "one_pager": {"key_takeaways": ["Light matters.", opening], "body": opening},
        "detailed_reading": {"sections": [{"title": "Light", "content": opening}]},
    }
    found = [(d.artifact, d.field) for a, c in artifacts.items() for d in unresolved_reference(a, c, "en")]
    assert found == [
        ("flashcards", "cards[0].back"),
        ("faq", "items[0].answer"),
        ("study_guide", "key_concepts[0].explanation"),
        ("outline", "sections[0].summary"),
        ("outline", "sections[0].key_points[1]"),
        ("one_pager", "key_takeaways[1]"),
    ]


# --- repeated host lines -------------------------------------------------------------------------------------


def _script(lines: list[tuple[str, str]], host_role: str = "Presenter who guides the conversation") -> dict[str, Any]:
    return {
        "title": "Photosynthesis: A Conversation",
        "speakers": [{"name": "Ana", "role": host_role}, {"name": "Guest", "role": "Expert"}],
        "segments": [{"speaker": speaker, "text": text} for speaker, text in lines],
    }


def test_a_template_repeated_with_another_term_counts_each_repetition() -> None:
    script = _script(
        [
            ("Ana", "Let's turn to Chloroplast."),
            ("Guest", "A chloroplast is an organelle."),
            ("Ana", "Let's turn to Photosystem."),
            ("Guest", "A photosystem is a complex of proteins."),
            ("Ana", "Where does light come in?"),
            ("Guest", "Light excites electrons."),
            ("Ana", "Let's turn to the Calvin Cycle."),
            ("Guest", "The Calvin cycle builds sugar."),
            ("Ana", "Where does the light-dependent reaction come in?"),
            ("Guest", "It makes ATP."),
            ("Ana", "Please go on."),
            ("Guest", "And NADPH."),
            ("Ana", "Please go on."),
        ]
    )
    found = repeated_host_line("podcast_script", script)
    assert [d.field for d in found] == ["segments[2].text", "segments[6].text", "segments[8].text", "segments[12].text"]
    assert {d.rule for d in found} == {REPEATED_HOST_LINE}
    assert "(as segments[0])" in found[0].text


def test_the_guest_may_repeat_and_hosts_are_known_by_role_or_name() -> None:
    lines = [("Guest", "That is right."), ("Guest", "That is right."), ("Ana", "Let's turn to ATP.")]
    assert repeated_host_line("podcast_script", _script(lines)) == []
    by_name = {
        "speakers": [{"name": "Host", "role": "Guides"}, {"name": "Guest", "role": "Expert"}],
        "segments": [
            {"speaker": "Host", "text": "Let's turn to ATP."},
            {"speaker": "Host", "text": "Let's turn to NADPH."},
        ],
    }
    assert len(repeated_host_line("podcast_script", by_name)) == 1
    assert repeated_host_line("faq", by_name) == []


def test_a_host_who_varies_their_lines_repeats_nothing() -> None:
    script = _script(
        [
            ("Ana", "Welcome to the show. Today we're talking about photosynthesis."),
            ("Guest", "Thanks for having me."),
            ("Ana", "Where does the energy in our food actually come from?"),
            ("Guest", "From sunlight, captured by leaves."),
            ("Ana", "So what happens inside a chloroplast?"),
            ("Guest", "Light splits water."),
            ("Ana", "Why is the oxygen a by-product rather than the goal?"),
            ("Guest", "Because the plant wants the electrons."),
            ("Ana", "How do cacti manage in the desert?"),
            ("Guest", "They open their stomata at night."),
            ("Ana", "To recap: light, water and carbon dioxide make sugar. Thank you for listening."),
        ]
    )
    assert repeated_host_line("podcast_script", script) == []


def test_key_terms_are_one_slot() -> None:
    script = _script([("Ana", "The Calvin cycle is next, then."), ("Ana", "ATP is next, then.")])
    assert len(repeated_host_line("podcast_script", script, ["Calvin cycle", "ATP"])) == 1


def _words(line: str) -> list[str]:
    return line.split()


def test_same_template() -> None:
    assert same_template(_words("let's turn to atp"), _words("let's turn to the calvin cycle"))
    assert same_template(_words("where does light come in"), _words("where does a photosystem come in"))
    assert not same_template(_words("where does light come in"), _words("why does light matter here"))
    assert not same_template(_words("so what happens next"), _words("so what did the king do after the war"))


# --- trivial blanks ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "answer", "why"),
    [
        ("en", "the", "a stopword"),
        ("en", "of the", "a stopword"),
        ("en", "1789", "a number"),
        ("en", "1,350", "a number"),
        ("en", "3.5%", "a number"),
        ("en", "two", "a number"),
        ("en", "20 km", "a number"),
        ("en", "km", "a unit"),
        ("en", "per cent", "a unit"),
        ("en", "14 July 1789", "a date"),
        ("en", "the 18th century", "a date"),
        ("en", "Monday", "a date"),
        ("en", "War", "a token of three characters or fewer"),
        ("de", "der", "a stopword"),
        ("de", "zwei", "a number"),
        ("de", "14. Juli 1789", "a date"),
        ("de", "Grad", "a unit"),
        ("fr", "les", "a stopword"),
        ("fr", "trois", "a number"),
        ("fr", "14 juillet 1789", "a date"),
        ("es", "del", "a stopword"),
        ("es", "dos", "a number"),
        ("es", "12 de octubre de 1492", "a date"),
    ],
)
def test_trivial_answers(language: str, answer: str, why: str) -> None:
    assert trivial_answer(answer, language) == why


@pytest.mark.parametrize(
    ("language", "answer"),
    [
        ("en", "Carbon dioxide"),
        ("en", "photosynthesis"),
        ("en", "the Calvin cycle"),
        ("en", "Reign of Terror"),
        ("en", "Civil war"),
        ("en", "Lava"),
        ("en", "Magma"),
        ("de", "Zelle"),
        ("de", "Mitochondrien"),
        ("de", "Verdunstung"),
        ("fr", "charbon"),
        ("fr", "la machine à vapeur"),
        ("es", "hidrógeno"),
        ("es", "la Gran Mancha Roja"),
    ],
)
def test_real_terms_are_worth_a_blank(language: str, answer: str) -> None:
    assert trivial_answer(answer, language) is None


def test_numbers_and_dates() -> None:
    assert is_number("1 000") and is_number("−5") and is_number("sechs", "de")
    assert not is_number("ATP") and not is_number("sechs", "en")
    assert is_date("1990s") and is_date("1780er") and is_date("XVIII siècle") and is_date("March 1789")
    assert not is_date("Louis XVI") and not is_date("civil")


def test_trivial_blank_checks_cloze_cards_and_study_guide_terms() -> None:
    cards = {
        "cards": [
            {"front": "Fill in the blank: Plants release _____ oxygen.", "back": "the", "difficulty": "medium"},
            {"front": "Fill in the blank: _____ is the green pigment.", "back": "Chlorophyll", "difficulty": "medium"},
            {"front": "Fill in the blank: The Bastille fell in _____.", "back": "1789", "difficulty": "hard"},
            {"front": "When did the Bastille fall?", "back": "1789", "difficulty": "easy"},  # not a blank
        ]
    }
    found = trivial_blank("flashcards", cards, "en")
    assert [(d.field, d.rule) for d in found] == [("cards[0].back", TRIVIAL_BLANK), ("cards[2].back", TRIVIAL_BLANK)]
    guide = {
        "key_concepts": [
            {"term": "The", "explanation": "x"},
            {"term": "ATP", "explanation": "y"},
            {"term": "1789", "explanation": "z"},
        ]
    }
    assert [d.field for d in trivial_blank("study_guide", guide, "en")] == [
        "key_concepts[0].term",
        "key_concepts[2].term",
    ]


# --- unanswered reading questions ----------------------------------------------------------------------------


def test_reading_questions_need_an_answer_and_a_passage() -> None:
    content = {
        "questions": [
            {"question": "How does the text define ATP?", "kind": "recall"},
            {"question": "Why does ATP matter?", "kind": "analysis", "answer": "  ", "passage": "ATP is energy."},
            {"question": "What is NADPH?", "kind": "recall", "answer": "An electron carrier."},
            {
                "question": "What is a photosystem?",
                "kind": "recall",
                "answer": "A complex.",
                "passage": "A photosystem…",
            },
        ]
    }
    found = unanswered_question("reading_questions", content)
    assert [(d.field, d.rule) for d in found] == [
        ("questions[0]", UNANSWERED_QUESTION),
        ("questions[1]", UNANSWERED_QUESTION),
        ("questions[2]", UNANSWERED_QUESTION),
    ]
    assert found[0].text.startswith("no answer and no passage")
    assert found[1].text.startswith("no answer:")
    assert found[2].text.startswith("no passage:")
    assert unanswered_question("faq", content) == []


# --- quiz questions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "one", "other"),
    [
        ("en", "cell", "cells"),
        ("en", "body", "bodies"),
        ("en", "process", "processes"),
        ("de", "Zelle", "Zellen"),
        ("de", "Kern", "Kerne"),
        ("de", "Wasserkreislauf", "Wasserkreislaufs"),
        ("fr", "usine", "usines"),
        ("fr", "réseau", "réseaux"),
        ("es", "planeta", "planetas"),
        ("es", "satélite", "satélites"),
    ],
)
def test_two_forms_of_one_word_are_one_option(language: str, one: str, other: str) -> None:
    assert same_word(one.casefold(), other.casefold(), language)
    content = {"questions": [{"question": "Q?", "options": [one, "Zzz", other.upper()], "answer_index": 1}]}
    assert [d.rule for d in quiz_defects("quiz", content, language)] == [SAME_OPTION]


@pytest.mark.parametrize(
    ("language", "options"),
    [
        ("en", ["Calvin cycle", "Krebs cycle", "Cycle", "Photosystem I", "Photosystem II"]),
        ("de", ["Zelle", "Zellkern", "Verdunstung", "Kondensation"]),
        ("fr", ["Machine à vapeur", "Machine textile", "Charbon", "Fer"]),
        ("es", ["Tierra", "Marte", "Mercurio", "Sistema solar"]),
        ("en", ["1789", "1791", "1792", "1793"]),
        ("de", ["70 Prozent", "30 Prozent", "2,5 Prozent", "97 Prozent"]),
    ],
)
def test_different_options_are_clean(language: str, options: list[str]) -> None:
    content = {"questions": [{"question": "Which completes it? _____ rose.", "options": options, "answer_index": 0}]}
    assert quiz_defects("quiz", content, language) == []
    assert trivial_blank("quiz", content, language) == []


def test_an_article_does_not_make_an_option_another() -> None:
    assert option_words("The Calvin cycle") == ["calvin", "cycle"]
    assert option_words("L’usine textile", "fr") == ["usine", "textile"]
    assert option_words("Die Zelle", "de") == option_words("Zelle", "de")
    content = {
        "questions": [{"question": "Q?", "options": ["The Calvin cycle", "Calvin cycle", "ATP"], "answer_index": 2}]
    }
    assert [d.field for d in quiz_defects("quiz", content)] == ["questions[0].options[1]"]


def test_a_quiz_answer_must_be_an_option_and_absent_from_its_question() -> None:
    content = {
        "questions": [
            {"question": "Q1?", "options": ["A1", "B1", "C1"], "answer_index": 3},
            {"question": "Q2?", "options": ["A2", "B2", "C2"], "answer_index": True},
            {"question": "Q3?", "options": ["A3", "B3", "C3"]},
            {"question": "Which completes it? _____ divide, so cells grow.", "options": ["Cell", "Tissue", "Organ"],
             "answer_index": 0},
            {"question": "What do plants make from light?", "options": ["Sugar", "Plant", "Salt"], "answer_index": 1},
        ]
    }  # fmt: skip
    found = [(d.field, d.rule) for d in quiz_defects("quiz", content)]
    assert found == [
        ("questions[0].answer_index", MISSING_ANSWER),
        ("questions[1].answer_index", MISSING_ANSWER),
        ("questions[2].answer_index", MISSING_ANSWER),
        ("questions[3].question", GIVEN_AWAY),
        ("questions[4].question", GIVEN_AWAY),
    ]
    assert quiz_defects("flashcards", content) == []


def test_a_quiz_answer_that_is_a_stopword_or_a_slight_word_is_trivial_but_a_year_is_not() -> None:
    content = {
        "questions": [
            {"question": "Which word? _____ cells divide.", "options": ["All", "Some", "Few"], "answer_index": 0},
            {"question": "Which word? The _____ is red.", "options": ["ion", "atom", "cell"], "answer_index": 0},
            {"question": "Which year? In _____ it fell.", "options": ["1789", "1791", "1792"], "answer_index": 0},
            {"question": "Which figure? About _____ is salt.", "options": ["97 %", "3 %", "70 %"], "answer_index": 0},
        ]
    }
    assert [d.field for d in trivial_blank("quiz", content)] == ["questions[0].options[0]", "questions[1].options[0]"]


def test_a_quiz_explanation_stands_alone() -> None:
    content = {
        "questions": [{"question": "Q?", "options": ["A", "B", "C"], "answer_index": 0, "explanation": "It is A."}]
    }
    assert [d.field for d in unresolved_reference("quiz", content)] == ["questions[0].explanation"]


# --- one job -------------------------------------------------------------------------------------------------


def _job(sentences: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Every artifact type, every text in them taken from the sentences."""
    s = list(sentences)
    return {
        "outline": {
            "title": "Topic",
            "overview": s[0],
            "learning_objectives": s[:3],
            "sections": [
                {"number": i + 1, "title": f"Part {i + 1}", "summary": x, "key_points": [x]}
                for i, x in enumerate(s[:3])
            ],
            "difficulty": "introductory",
        },
        "podcast_script": {
            "title": "Topic",
            "speakers": [{"name": "Host", "role": "Presenter"}, {"name": "Guest", "role": "Expert"}],
            "segments": [{"speaker": "Host" if i % 2 == 0 else "Guest", "text": x} for i, x in enumerate(s)],
            "estimated_minutes": 1.0,
        },
        "study_guide": {
            "title": "Topic",
            "overview": s[0],
            "key_concepts": [{"term": f"Concept {i}", "explanation": x} for i, x in enumerate(s)],
            "sections": [{"title": "A", "content": " ".join(s)}],
            "summary": s[-1],
        },
        "one_pager": {"title": "Topic", "summary": s[0], "key_takeaways": s[:4], "body": " ".join(s)},
        "detailed_reading": {
            "title": "Topic",
            "introduction": s[0],
            "sections": [{"title": "A", "content": x} for x in s],
            "conclusion": s[-1],
        },
        "faq": {"items": [{"question": f"Question {i}?", "answer": x} for i, x in enumerate(s)]},
        "flashcards": {"cards": [{"front": f"Card {i}?", "back": x, "difficulty": "easy"} for i, x in enumerate(s)]},
        "reading_questions": {
            "questions": [
                {"question": f"Question {i}?", "kind": "recall", "answer": x, "passage": x} for i, x in enumerate(s)
            ]
        },
        "quiz": {
            "questions": [
                {
                    "question": f"Which option is right in case {i}?",
                    "options": ["Option one", "Option two", "Option three", "Option four"],
                    "answer_index": i % 4,
                    "explanation": x,
                    "difficulty": "medium",
                }
                for i, x in enumerate(s)
            ]
        },
    }


@pytest.mark.parametrize("language", list(CLEAN))
def test_a_clean_job_has_no_defects_in_any_language(language: str) -> None:
    assert defects_of(_job(CLEAN[language]), language) == []


def test_defects_of_runs_every_rule() -> None:
    job = _job(CLEAN["en"])
    job["faq"]["items"][0]["answer"] = "It is the energy currency of the cell."
    job["one_pager"]["body"] = "## Summary\nThe Calvin cycle builds sugar."
    job["podcast_script"]["segments"][2]["text"] = job["podcast_script"]["segments"][0]["text"]
    job["flashcards"]["cards"][0] = {
        "front": "Fill in the blank: _____ cells divide.",
        "back": "all",
        "difficulty": "hard",
    }
    del job["reading_questions"]["questions"][0]["passage"]
    job["quiz"]["questions"][0]["answer_index"] = 4
    job["quiz"]["questions"][1]["options"][3] = "Options two"
    job["quiz"]["questions"][2]["question"] = "Is option three right?"
    found = defects_of(job, "en")
    assert sorted((d.artifact, d.field, d.rule) for d in found) == [
        ("faq", "items[0].answer", UNRESOLVED_REFERENCE),
        ("flashcards", "cards[0].back", TRIVIAL_BLANK),
        ("one_pager", "body", MARKUP_RESIDUE),
        ("podcast_script", "segments[2].text", REPEATED_HOST_LINE),
        ("quiz", "questions[0].answer_index", MISSING_ANSWER),
        ("quiz", "questions[1].options[3]", SAME_OPTION),
        ("quiz", "questions[2].question", GIVEN_AWAY),
        ("reading_questions", "questions[0]", UNANSWERED_QUESTION),
    ]
    assert {d.rule for d in found} == set(RULES)


# --- the survey ----------------------------------------------------------------------------------------------


def test_fixture_texts_are_found_recursively_with_their_language(tmp_path: Path) -> None:
    for name in ("a.txt", "de/b.md", "fr/c.rst", "es/sub/d.txt", "markup/e.md", "prose/f.txt", "g.json", "de/h.pdf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = [(str(p.relative_to(tmp_path)), language) for p, language in fixture_texts(tmp_path)]
    assert found == [
        ("a.txt", "en"),
        ("de/b.md", "de"),
        ("es/sub/d.txt", "es"),
        ("fr/c.rst", "fr"),
        ("markup/e.md", "en"),
        ("prose/f.txt", "en"),
    ]


def test_the_table_sums_counts_by_artifact_and_rule() -> None:
    defects = (
        Defect("faq", "items[0].answer", UNRESOLVED_REFERENCE, "It …"),
        Defect("faq", "items[1].answer", UNRESOLVED_REFERENCE, "It …"),
        Defect("flashcards", "cards[0].back", TRIVIAL_BLANK, "'the'"),
    )
    lines = table([Survey("a.txt", "en", 10, defects=defects[:2]), Survey("b.txt", "en", 10, defects=defects[2:])])
    rows = {line.split()[0]: [int(n) for n in line.split()[1:]] for line in lines[1:]}
    assert lines[0].split() == ["artifact", *RULES, "total"]
    assert rows["faq"] == [0, 2, 0, 0, 0, 0, 0, 0, 2]
    assert rows["flashcards"] == [0, 0, 0, 1, 0, 0, 0, 0, 1]
    assert rows["outline"] == [0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert rows["quiz"] == [0] * (len(RULES) + 1)
    assert rows["total"] == [0, 2, 0, 1, 0, 0, 0, 0, 3]
