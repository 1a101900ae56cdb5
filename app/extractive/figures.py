"""Years and figures of a text, each with its kind: a calendar year ("1789"), or a number with its unit ("70
percent", "2,5 Prozent", "149,6 millones"), the unit read by its lemma so that "million" and "millions" are one
kind. A number with neither (a day of the month, "three stages") has no kind and is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.extractive.analysis import Analysis
from app.extractive.lexicon import MEASURES, lemma, listed
from app.extractive.selection import usable

YEAR = "@year"  # the kind of a calendar year, apart from a figure counted in years ("4,000 years")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w]|[.,]\d)")
_UNIT_AFTER = re.compile(r"\s?(%|[^\W\d_]+)")
_YEAR = re.compile(r"1[0-9]{3}|20[0-9]{2}")
_ABBREVIATED_UNITS = listed("km m cm mm nm µm kg g mg t l ml s ms h min kw mw gw w hz khz mhz kb mb gb")


@dataclass(frozen=True, slots=True)
class Figure:
    sentence: int
    text: str  # as the sentence writes it, and an option shows it: "1789", "70 percent", "99,8 %"
    kind: str  # YEAR, or the unit's lemma
    value: float


def in_text(analysis: Analysis) -> list[Figure]:
    """Every year and every figure with a unit in the statements of the text, in document order."""
    language = analysis.language
    measures = MEASURES.get(language, frozenset())
    out: list[Figure] = []
    for at, sentence in enumerate(analysis.sentences):
        if not usable(analysis, at):
            continue
        for number in _NUMBER.finditer(sentence):
            digits = number.group(0)
            unit = _UNIT_AFTER.match(sentence, number.end())
            word = unit.group(1) if unit else ""
            base = lemma(word, language) if word else ""
            if unit is not None and (word == "%" or base in measures or base in _ABBREVIATED_UNITS):
                out.append(Figure(at, f"{digits}{unit.group(0)}", base, _value(digits, language)))
            elif _YEAR.fullmatch(digits):
                out.append(Figure(at, digits, YEAR, float(digits)))
    return out


def nearest(figure: Figure, others: Iterable[Figure]) -> list[Figure]:
    """The other figures of its kind, one per value, the nearest in value first (the smaller on a tie)."""
    alike = sorted(
        (f for f in others if f.kind == figure.kind and f.value != figure.value),
        key=lambda f: (abs(f.value - figure.value), f.value, f.text),
    )
    out: list[Figure] = []
    for candidate in alike:
        if all(f.value != candidate.value for f in out):
            out.append(candidate)
    return out


def blanked(sentence: str, figure: Figure, blank: str) -> str:
    """The sentence with the figure blanked out wherever it stands as a number of its own."""
    return re.sub(rf"(?<![\w.,]){re.escape(figure.text)}(?![\w]|[.,]\d)", blank, sentence)


def _value(digits: str, language: str) -> float:
    """A figure's value, for nearness: English writes "1,350.5", the others "1.350,5"."""
    plain = digits.replace(",", "") if language == "en" else digits.replace(".", "").replace(",", ".")
    try:
        return float(plain)
    except ValueError:
        return 0.0
