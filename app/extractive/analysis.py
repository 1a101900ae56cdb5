"""One pass over a source text: sentences, key terms, sentence scores, definitions and a section plan.

The admission check and then the steps of a job (one per artifact) all ask for the analysis of one text, and
several jobs run at once, so analyses are kept by the text's SHA-256, as many as fit a budget of source characters
(about forty texts at the 200,000-character limit); a text being analysed in one thread is waited for, not
analysed again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from app.extractive.keyphrases import Keyphrase, extract
from app.extractive.ranking import rank_sentences
from app.extractive.sections import Section, plan_sections
from app.extractive.text import parse

_MEMO_CHARS = 8_000_000  # source characters whose analyses are kept
_memo: OrderedDict[str, tuple[int, Analysis]] = OrderedDict()  # digest -> (characters, analysis)
_memo_chars = 0
_memo_lock = threading.Lock()
_in_progress: dict[str, threading.Event] = {}


@dataclass(frozen=True, slots=True)
class Analysis:
    sentences: tuple[str, ...]
    paragraph_of: tuple[int, ...]  # the paragraph each sentence belongs to
    title: str | None  # a heading that opens the text
    keyphrases: tuple[Keyphrase, ...]  # best first
    scores: tuple[float, ...]  # one per sentence, higher is more important
    mentions: tuple[tuple[str, ...], ...]  # the key terms (by key) each sentence mentions
    definitions: Mapping[str, str]  # term -> the sentence that defines it
    sections: tuple[Section, ...]  # the outline's sections, in order
    by_key: Mapping[str, Keyphrase]
    dependent: tuple[bool, ...] = ()  # per sentence: it opens by referring back, so it cannot stand alone
    language: str = "en"
    definition_sentences: frozenset[int] = frozenset()  # sentences that define one of the key terms
    focused: frozenset[str] = frozenset()  # key terms the request's focus names or dwells on (``steering``)

    def alone(self, i: int) -> bool:
        """Whether sentence ``i`` makes sense on its own (a card's back, an answer, a key point)."""
        return not (self.dependent and self.dependent[i])

    def standalone(self, i: int, limit: int = 1_000) -> str:
        """Sentence ``i`` as a field that stands alone shows it: a sentence that refers back comes with the one
        before it, when the two fit."""
        if self.alone(i) or i == 0 or len(self.sentences[i - 1]) + 1 + len(self.sentences[i]) > limit:
            return self.sentences[i]
        return f"{self.sentences[i - 1]} {self.sentences[i]}"

    def best(self, indices: list[int] | tuple[int, ...] | range, k: int) -> list[int]:
        """The ``k`` highest-scoring of these sentences, in document order."""
        ranked = sorted(indices, key=lambda i: (-self.scores[i], i))[:k]
        return sorted(ranked)


def analyse(text: str, language: str = "en") -> Analysis:
    """Analyse a source text in a language (cached by both; the result is immutable)."""
    global _memo_chars
    digest = f"{language}:{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()}"
    while True:
        with _memo_lock:
            cached = _memo.get(digest)
            if cached is not None:
                _memo.move_to_end(digest)
                return cached[1]
            running = _in_progress.get(digest)
            if running is None:
                done = _in_progress[digest] = threading.Event()
                break
        running.wait()  # another thread is analysing this text: take its result (or try again if it failed)
    try:
        result = _analyse(text, language)
        with _memo_lock:
            _memo[digest] = (len(text), result)
            _memo_chars += len(text)
            while _memo_chars > _MEMO_CHARS and len(_memo) > 1:
                _memo_chars -= _memo.popitem(last=False)[1][0]
        return result
    finally:
        with _memo_lock:
            del _in_progress[digest]
        done.set()


def _analyse(text: str, language: str) -> Analysis:
    document = parse(text, language)
    named = [heading for _, heading in document.headings] + ([document.title] if document.title else [])
    keyphrases, mentions = extract(document.sentences, named, language)
    by_key = {k.key: k for k in keyphrases}
    term_scores = {k.key: k.score for k in keyphrases}
    scores = rank_sentences(document.sentences, document.paragraph_of, mentions, term_scores, language)
    definitions = {k.text: document.sentences[k.definition] for k in keyphrases if k.definition is not None}
    sections = plan_sections(
        len(document.sentences), document.paragraph_of, document.headings, mentions, keyphrases, language
    )
    return Analysis(
        sentences=document.sentences,
        paragraph_of=document.paragraph_of,
        title=document.title,
        keyphrases=tuple(keyphrases),
        scores=tuple(scores),
        mentions=tuple(tuple(m) for m in mentions),
        definitions=MappingProxyType(definitions),
        sections=tuple(sections),
        by_key=MappingProxyType(by_key),
        dependent=document.dependent,
        language=language,
        definition_sentences=frozenset(k.definition for k in keyphrases if k.definition is not None),
    )
