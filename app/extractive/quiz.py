"""Multiple-choice questions from the source alone: a sentence of the text with a key term, a name, a year or a
figure blanked out, the blanked words as the correct option, and three distractors of the same kind from the same
text.

The kinds: a key term takes other key terms (names take names, acronyms acronyms, and in English plurals take
plurals), of about as many words and letters, none that the sentence mentions, none that contains the answer or
is contained in it ("carbon" against "carbon dioxide"); a year takes other years the text gives, the nearest
first; a figure takes other figures in the same unit ("70 percent" against "30 percent"). The options are
shuffled by a digest of the question, so the same text gives the same quiz.

Like the flashcards, ``quiz_questions`` returns every question the text supports, best first, and the capacity
check counts the same list: a text that cannot fill the requested count is refused before the job is created
(``options.quiz.count`` names the most it can fill), never served with fewer. No prefix of the list can be
passed by picking the longest option: in each, the answer is the longest option in at most three fifths of the
questions (the rule of ``models.Quiz``); a question that would break that trades a distractor for a longer one,
or waits until enough others come before it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from app.content.models import MAX_LONGEST_SHARE, CardDifficulty, Difficulty, longest_is_answer
from app.extractive import figures
from app.extractive.analysis import Analysis
from app.extractive.keyphrases import Keyphrase, key_of
from app.extractive.lexicon import words
from app.extractive.phrasebook import Phrasebook
from app.extractive.phrasebooks import phrasebook
from app.extractive.selection import explanation, focused_first, statements, terms, usable
from app.extractive.text import LINE_LIMIT

DISTRACTORS = 3
BLANK = "_____"
_EASY_WORDS = 25
_FIGURES_EVERY = 4  # one question in this many asks for a year or a figure, when the text has them
_SENTENCES_TRIED = 4  # sentences with the term in them tried for its question
_SPARES = 5  # alike terms kept beyond the distractors, for one at least as long as the answer
_MAX_WORD_GAP = 1  # a distractor has at most this many words more or fewer than the answer


@dataclass(frozen=True, slots=True)
class Question:
    question: str
    answer: str
    distractors: tuple[str, ...]
    explanation: str
    difficulty: CardDifficulty
    longer: tuple[str, ...] | None = None  # other distractors, one at least as long as the answer, if any

    def options(self, distractors: Sequence[str]) -> list[str]:
        """The answer and the distractors, in an order fixed by the question's text."""

        def rank(option: str) -> bytes:
            return hashlib.sha256(f"{self.question}\n{option}".encode()).digest()

        return sorted([self.answer, *distractors], key=rank)

    def content(self, distractors: Sequence[str]) -> dict[str, Any]:
        options = self.options(distractors)
        return {
            "question": self.question,
            "options": options,
            "answer_index": options.index(self.answer),
            "explanation": self.explanation,
            "difficulty": self.difficulty.value,
        }


def quiz_questions(analysis: Analysis, limit: int, difficulty: Difficulty | None = None) -> list[dict[str, Any]]:
    """Up to ``limit`` questions on key terms, with a year or a figure every fourth question where the text has
    enough of them. Introductory readers get the definitions first, advanced readers the sentences to complete
    first; anyone else the two in turn."""
    book = phrasebook(analysis.language)
    ranked = terms(analysis)
    defined = [t for t in ranked if t.definition is not None]
    undefined = [t for t in ranked if t.definition is None]
    if difficulty is Difficulty.INTRODUCTORY:
        chosen = defined + undefined
    elif difficulty is Difficulty.ADVANCED:
        chosen = undefined + defined
    else:  # definitions (easy) and sentences to complete (medium or hard) in turn
        chosen = [t for pair in zip_longest(defined, undefined) for t in pair if t is not None]
    chosen = focused_first(analysis, chosen)
    used: set[int] = set()
    candidates = _interleaved(_term_questions(analysis, book, chosen, used), _figure_questions(analysis, book, used))
    return _balanced(candidates, limit)


def _interleaved(on_terms: Iterator[Question], on_figures: Iterator[Question]) -> Iterator[Question]:
    position = 0
    while True:
        position += 1
        source = on_figures if position % _FIGURES_EVERY == 0 else on_terms
        question = next(source, None)
        if question is None:
            question = next(on_terms if source is on_figures else on_figures, None)
            if question is None:
                return
        yield question


def _balanced(candidates: Iterator[Question], limit: int) -> list[dict[str, Any]]:
    """The questions in order, each prefix with its answer the longest option in at most three fifths of them:
    a question whose answer would be longest takes its ``longer`` distractors if it has them, else waits for a
    place where it keeps the share."""
    out: list[dict[str, Any]] = []
    waiting: list[Question] = []
    longest = 0

    def place(question: Question) -> bool:
        nonlocal longest
        if not longest_is_answer([question.answer, *question.distractors], 0):
            out.append(question.content(question.distractors))
        elif question.longer is not None:
            out.append(question.content(question.longer))
        elif longest + 1 <= MAX_LONGEST_SHARE * (len(out) + 1):
            out.append(question.content(question.distractors))
            longest += 1
        else:
            return False
        return True

    seen: set[str] = set()
    for question in candidates:
        if len(out) >= limit:
            break
        if question.question in seen:
            continue
        seen.add(question.question)
        if not place(question):
            waiting.append(question)
            continue
        while waiting and len(out) < limit and place(waiting[0]):
            waiting.pop(0)
    return out[:limit]


# --- key terms -----------------------------------------------------------------------------------------------


def _term_questions(
    analysis: Analysis, book: Phrasebook, chosen: list[Keyphrase], used: set[int]
) -> Iterator[Question]:
    pool = terms(analysis)
    defining = {t.definition for t in chosen if t.definition is not None}  # kept for their own term's question
    for term in chosen:
        tried = 0
        for at in _sentences_for(analysis, term, used):
            if at in defining and at != term.definition:
                continue
            stem = _blanked(analysis, analysis.sentences[at], term)
            if stem is None or _inside_longer(analysis, term, at):
                continue
            tried += 1
            if tried > _SENTENCES_TRIED:
                break
            ranked = _distractors(analysis, term, pool, at)
            defines = at == term.definition
            template = book.quiz_defined if defines else book.quiz_name if term.proper else book.quiz_term
            question = template.format(sentence=stem)
            if len(ranked) < DISTRACTORS or len(question) > LINE_LIMIT:
                continue
            used.add(at)
            answer = _option(term.text)
            picked = tuple(_option(t.text) for t in ranked[:DISTRACTORS])
            longer = _with_longer(answer, picked, [_option(t.text) for t in ranked[DISTRACTORS:]])
            yield Question(question, answer, picked, analysis.sentences[at], _level(analysis, at, defines), longer)
            break


def _sentences_for(analysis: Analysis, term: Keyphrase, used: set[int]) -> list[int]:
    """The sentences a question on the term may blank: its explanation first, then the rest best first; each
    stands alone, states rather than asks, and is not already another question's."""
    first = explanation(analysis, term, used)
    rest = sorted((i for i in term.sentences if i != first), key=lambda i: (-analysis.scores[i], i))
    return [i for i in (first, *rest) if i not in used and usable(analysis, i)]


def _blanked(analysis: Analysis, sentence: str, term: Keyphrase) -> str | None:
    """The sentence with the term blanked out wherever it is written as the term is; None where it is not, or
    where another form of it ("cells" beside "cell") would still give the answer away."""
    if len(term.text) <= 3 and not term.text.isupper():
        return None  # too slight to be worth a question: a word of three letters that is not an acronym
    pattern = re.compile(rf"(?<![\w-]){re.escape(term.text)}(?![\w-])", flags=re.IGNORECASE)
    stem, found = pattern.subn(BLANK, sentence)
    if not found:
        return None
    tokens = words(stem)
    size = len(term.key.split())
    language = analysis.language
    for start in range(len(tokens) - size + 1):
        if key_of(tokens[start : start + size], language) == term.key:
            return None
    return stem


def _inside_longer(analysis: Analysis, term: Keyphrase, at: int) -> bool:
    """Whether the sentence mentions a longer term with the term's words in it ("light" in "light energy"):
    the blank would cut that term in two."""
    own = set(term.key.split())
    return any(key != term.key and own < set(key.split()) for key in analysis.mentions[at])


def _distractors(analysis: Analysis, term: Keyphrase, pool: list[Keyphrase], at: int) -> list[Keyphrase]:
    """Other key terms of the answer's kind, the most alike first (as many words and letters, the same number
    and kind of term, and high in the text's ranking): never one the sentence mentions, one that contains the
    answer or is contained in it, or one that repeats another's words."""
    sentence = analysis.sentences[at].casefold()
    mentioned = set(analysis.mentions[at])
    english = analysis.language == "en"
    position = {t.key: n for n, t in enumerate(pool)}

    def eligible(other: Keyphrase) -> bool:
        if other.key == term.key or other.key in mentioned or other.proper != term.proper:
            return False
        if abs(len(other.key.split()) - len(term.key.split())) > _MAX_WORD_GAP:
            return False
        if len(other.text) <= 3 and not other.text.isupper():
            return False
        return not _overlapping(other, term) and other.text.casefold() not in sentence

    def distance(other: Keyphrase) -> tuple[float, int]:
        gap = float(abs(len(other.key.split()) - len(term.key.split())))
        gap += abs(len(other.text) - len(term.text)) / max(len(other.text), len(term.text))
        gap += 1.5 if english and (other.copula in ("are", "were")) != (term.copula in ("are", "were")) else 0.0
        gap += 1.5 if _acronym(other.text) != _acronym(term.text) else 0.0
        gap += 0.5 if (other.definition is None) != (term.definition is None) else 0.0
        gap += position[other.key] / len(pool)  # the text's lesser terms are more often not terms at all
        return round(gap, 6), position[other.key]

    picked: list[Keyphrase] = []
    for other in sorted(filter(eligible, pool), key=distance):
        if all(not _overlapping(other, p) for p in picked):
            picked.append(other)
            if len(picked) == DISTRACTORS + _SPARES:
                break
    return picked


def _overlapping(a: Keyphrase, b: Keyphrase) -> bool:
    """Whether one term's words are all in the other ("light" and "light energy", "ATP" and "ATP and NADPH")."""
    first, second = set(a.key.split()), set(b.key.split())
    return first <= second or second <= first


def _acronym(text: str) -> bool:
    return len(text) > 1 and text.isupper()


def _option(text: str) -> str:
    """A term as an option shows it: capitalised, unless its capitals are its own ("pH", "mRNA")."""
    if text[:1].islower() and any(ch.isupper() for ch in text[1:]):
        return text
    return text[:1].upper() + text[1:]


def _with_longer(answer: str, picked: tuple[str, ...], spare: list[str]) -> tuple[str, ...] | None:
    """The picked distractors with the last one traded for the most alike spare one at least as long as the
    answer, when the answer would otherwise be the longest option."""
    if not longest_is_answer([answer, *picked], 0):
        return None
    longer = next((s for s in spare if len(s) >= len(answer)), None)
    return None if longer is None else (*picked[:-1], longer)


def _level(analysis: Analysis, at: int, defines: bool) -> CardDifficulty:
    if defines:
        return CardDifficulty.EASY
    return CardDifficulty.MEDIUM if len(words(analysis.sentences[at])) <= _EASY_WORDS else CardDifficulty.HARD


# --- years and figures ---------------------------------------------------------------------------------------


def _figure_questions(analysis: Analysis, book: Phrasebook, used: set[int]) -> Iterator[Question]:
    """Questions on the years and figures of the best statements, each against the nearest three others of
    its kind in the text (none that the sentence shows)."""
    found = figures.in_text(analysis)
    in_sentence: dict[int, list[figures.Figure]] = {}
    for figure in found:
        in_sentence.setdefault(figure.sentence, []).append(figure)
    for at in statements(analysis):
        if at in used or at not in in_sentence:
            continue
        sentence = analysis.sentences[at]
        shown = {(f.kind, f.value) for f in in_sentence[at]}
        for figure in in_sentence[at]:
            alike = [f.text for f in figures.nearest(figure, found) if (f.kind, f.value) not in shown]
            if len(alike) < DISTRACTORS:
                continue
            question = (book.quiz_year if figure.kind == figures.YEAR else book.quiz_number).format(
                sentence=figures.blanked(sentence, figure, BLANK)
            )
            if len(question) > LINE_LIMIT:
                continue
            used.add(at)
            picked = tuple(alike[:DISTRACTORS])
            longer = _with_longer(figure.text, picked, alike[DISTRACTORS:])
            yield Question(question, figure.text, picked, sentence, _level(analysis, at, defines=False), longer)
            break
