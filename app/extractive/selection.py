"""What the artifacts quote: the overview, summary and conclusion sentences, and the terms worth teaching."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from app.extractive.analysis import Analysis
from app.extractive.keyphrases import Keyphrase
from app.extractive.text import TEXT_LIMIT, join_within, normalised

MAX_CONCEPTS = 10
MAX_TAKEAWAYS = 5


def usable(analysis: Analysis, i: int) -> bool:
    """Whether a sentence can stand alone as a statement (not a question, a lead-in to a list, or a sentence
    that refers back to one it could not be joined to)."""
    return not analysis.sentences[i].endswith(("?", ":")) and analysis.alone(i)


def statements(analysis: Analysis) -> list[int]:
    """Sentences that can stand alone, best first."""
    found = [i for i in range(len(analysis.sentences)) if usable(analysis, i)]
    return sorted(found, key=lambda i: (-analysis.scores[i], i))


def overview(analysis: Analysis) -> list[int]:
    """The opening sentence and the best of the first paragraph: what the text is about."""
    if not analysis.sentences:
        return []
    first = [i for i, p in enumerate(analysis.paragraph_of) if p == analysis.paragraph_of[0]]
    return sorted({0, *analysis.best(first, 2)})


def summary(analysis: Analysis, k: int = 3) -> list[int]:
    """The ``k`` best statements, in document order."""
    return sorted(statements(analysis)[:k]) or analysis.best(range(len(analysis.sentences)), k)


def conclusion(analysis: Analysis, avoid: Collection[int]) -> list[int]:
    """The best of the last paragraph, else the best sentence not already used."""
    n = len(analysis.sentences)
    last = [i for i in range(n) if analysis.paragraph_of[i] == analysis.paragraph_of[-1] and i not in avoid]
    if last:
        return analysis.best(last, 2)
    rest = [i for i in statements(analysis) if i not in avoid]
    return sorted(rest[:1]) or analysis.best(range(n), 1)


def quote(analysis: Analysis, indices: Sequence[int], limit: int = TEXT_LIMIT) -> str:
    """Sentences as one text, paragraph breaks kept, cut before the field's limit."""
    parts: list[str] = []
    size = 0
    previous: int | None = None
    for i in indices:
        separator = "" if previous is None else ("\n\n" if analysis.paragraph_of[i] != previous else " ")
        sentence = analysis.sentences[i]
        if size + len(separator) + len(sentence) > limit:
            break
        parts.append(separator + sentence)
        size += len(separator) + len(sentence)
        previous = analysis.paragraph_of[i]
    return "".join(parts)


def terms(analysis: Analysis) -> list[Keyphrase]:
    """Key terms worth a card or a question: repeated or defined, and stated somewhere (not only asked).

    A one-word name that is part of a longer name ("Estate" in "the Third Estate") is left to the longer one.
    """
    out: list[Keyphrase] = []
    seen: set[str] = set()
    name_words = {word for k in analysis.keyphrases if k.proper and " " in k.key for word in k.key.split()}
    for term in analysis.keyphrases:
        if term.count < 2 and term.definition is None:
            continue
        if term.proper and " " not in term.key and term.key in name_words:
            continue
        if all(analysis.sentences[i].endswith("?") for i in term.sentences):
            continue
        name = normalised(term.text)
        if name not in seen:
            seen.add(name)
            out.append(term)
    return out


def defined_first(chosen: list[Keyphrase]) -> list[Keyphrase]:
    """Defined terms first (they make the best questions), each group in rank order."""
    return [t for t in chosen if t.definition is not None] + [t for t in chosen if t.definition is None]


def focused_first(analysis: Analysis, chosen: list[Keyphrase]) -> list[Keyphrase]:
    """The terms the request's focus is on first, the rest after, each group in the order given."""
    return [t for t in chosen if t.key in analysis.focused] + [t for t in chosen if t.key not in analysis.focused]


def reserved(chosen: list[Keyphrase]) -> set[int]:
    """Sentences that define one of the terms: kept for that term's explanation."""
    return {t.definition for t in chosen if t.definition is not None}


def explanation(analysis: Analysis, term: Keyphrase, avoid: Collection[int] = ()) -> int:
    """The sentence that best explains a term: its definition, else a statement that opens with it.

    Sentences in ``avoid`` are taken only when the term has no other.
    """
    if term.definition is not None and analysis.alone(term.definition):
        return term.definition
    asked = [i for i in term.sentences if not analysis.sentences[i].endswith("?")]
    options = [i for i in asked if analysis.alone(i)] or asked
    fresh = [i for i in options if i not in avoid] or options

    def merit(i: int) -> tuple[float, int]:
        at = analysis.sentences[i].lower().find(term.text.lower())
        return (analysis.scores[i] + (0.5 if 0 <= at <= 30 else 0.0), -i)

    return max(fresh, key=merit)


def support(analysis: Analysis, term: Keyphrase, first: int, avoid: Collection[int]) -> list[int]:
    """The explanation, then the best other statement about the term (if there is a fresh one)."""
    more = [i for i in term.sentences if i != first and i not in avoid and usable(analysis, i)]
    return [first, *analysis.best(more, 1)]


def key_concepts(analysis: Analysis, limit: int = MAX_CONCEPTS) -> list[dict[str, str]]:
    """Up to ``limit`` terms, each explained by its definition or best statement and one more sentence."""
    chosen = terms(analysis)[:limit]
    used = reserved(chosen)
    concepts = []
    for term in chosen:
        first = explanation(analysis, term, used)
        quoted = support(analysis, term, first, used)
        used.update(quoted)
        name = term.text[:1].upper() + term.text[1:]
        concepts.append({"term": name, "explanation": join_within([analysis.sentences[i] for i in quoted])})
    return concepts


def takeaways(analysis: Analysis, avoid: Collection[int]) -> list[str]:
    """Up to five of the best statements, preferring ones not in ``avoid``, in document order."""
    ranked = statements(analysis)
    fresh = [i for i in ranked if i not in avoid]
    chosen = fresh[:MAX_TAKEAWAYS] if len(fresh) >= 3 else ranked[:MAX_TAKEAWAYS]
    return [analysis.sentences[i] for i in sorted(chosen)]
