"""What a source text can support, measured with the same functions the builders use.

One ``Needs`` per artifact type (``app.extractive.recipes`` pairs each with its builder), and ``outline_needs``,
which every artifact has too. They find nothing exactly when the builders can fill their artifacts: the check
before a job is created and the build inside it ask the same questions of the same analysis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from app.content.catalogue import ArtifactType
from app.extractive.analysis import Analysis
from app.extractive.sections import MIN_SECTIONS
from app.extractive.selection import key_concepts, statements, terms

MIN_OBJECTIVES = 3
MIN_CONCEPTS = 5
MIN_TAKEAWAYS = 3
LLM_HINT = "or configure an LLM provider (CF_LLM_PROVIDER=gemini or openai)"


@dataclass(frozen=True, slots=True)
class Shortfall:
    field: str  # the request field to change: "source_text" or "options.<artifact>.count"
    reason: str  # what was found against what is needed
    remedy: str

    @property
    def message(self) -> str:
        return f"{self.reason} {self.remedy}"


def summary(problems: list[Shortfall]) -> str:
    """One message for several shortfalls: the first in full, the rest counted (each is in the details)."""
    if len(problems) == 1:
        return problems[0].message
    more = len(problems) - 1
    return (
        f"The source text cannot fill the requested artifacts. {problems[0].reason} ({more} more "
        f"shortfall{_s(more)} in the details.) Send a longer text, ask for fewer items, {LLM_HINT}."
    )


class SourceTooShort(Exception):
    """The source text cannot fill an artifact as requested."""

    def __init__(self, shortfalls: list[Shortfall]) -> None:
        super().__init__(summary(shortfalls))
        self.shortfalls = shortfalls


Needs = Callable[[Analysis, ArtifactType, dict[str, Any]], list[Shortfall]]


def outline_needs(analysis: Analysis) -> list[Shortfall]:
    """What the outline needs, and with it every other artifact."""
    found: list[Shortfall] = []
    sentences = len(analysis.sentences)
    if len(analysis.sections) < MIN_SECTIONS:
        found.append(
            _source(
                f"An outline needs at least {MIN_SECTIONS} sections of at least one sentence each; the source "
                f"text has {sentences} usable sentence{_s(sentences)} (of three words or more)."
            )
        )
    available_terms = len(terms(analysis))
    if available_terms < MIN_OBJECTIVES:
        found.append(_source(_terms_message("learning objectives", MIN_OBJECTIVES, available_terms)))
    return found


def nothing_more(analysis: Analysis, artifact: ArtifactType, controls: dict[str, Any]) -> list[Shortfall]:
    """For artifacts that need only what the outline needs."""
    return []


def study_guide_needs(analysis: Analysis, artifact: ArtifactType, controls: dict[str, Any]) -> list[Shortfall]:
    concepts = len(key_concepts(analysis, MIN_CONCEPTS))
    if concepts < MIN_CONCEPTS:
        return [_source(_terms_message("a study guide's key concepts", MIN_CONCEPTS, concepts))]
    return []


def one_pager_needs(analysis: Analysis, artifact: ArtifactType, controls: dict[str, Any]) -> list[Shortfall]:
    usable = len(statements(analysis))
    if usable < MIN_TAKEAWAYS:
        return [
            _source(
                f"A one-pager needs {MIN_TAKEAWAYS} distinct key takeaways; the source text has "
                f"{usable} statement{_s(usable)} to draw them from."
            )
        ]
    return []


def counted_needs(items: Callable[[Analysis, int], list[Any]], noun: str, purpose: str) -> Needs:
    """Needs of an artifact with a ``count`` control: that many distinct items from the text."""

    def needs(analysis: Analysis, artifact: ArtifactType, controls: dict[str, Any]) -> list[Shortfall]:
        wanted = int(controls["count"])
        have = len(items(analysis, wanted))
        if have >= wanted:
            return []
        field = f"options.{artifact.value}.count"
        fewer = f"ask for at most {have} ({field}), " if have >= 5 else ""
        return [
            Shortfall(
                field,
                f"{wanted} {noun} were requested, but the source text has only {have} distinct key "
                f"term{_s(have)} {purpose} (a term must be repeated or defined in the text).",
                f"Send a longer text, {fewer}{LLM_HINT}.",
            )
        ]

    return needs


def merged(groups: Iterable[list[Shortfall]]) -> list[Shortfall]:
    """Shortfalls of several artifacts, each said once, in order."""
    out: list[Shortfall] = []
    for group in groups:
        out.extend(s for s in group if s not in out)
    return out


def _source(reason: str) -> Shortfall:
    return Shortfall("source_text", f"The source text is too short. {reason}", f"Send a longer text, {LLM_HINT}.")


def _terms_message(what: str, needed: int, have: int) -> str:
    return (
        f"{what[:1].upper()}{what[1:]} need {needed} distinct key terms (repeated or defined in the text); "
        f"the source text has {have}."
    )


def _s(n: int) -> str:
    return "" if n == 1 else "s"
