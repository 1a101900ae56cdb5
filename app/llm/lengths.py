"""How long an answer may be and how long it is: output and thinking budgets sized from the controls, and a
podcast's minutes counted from its own words."""

from __future__ import annotations

import re
from typing import Any

from app.content.catalogue import ArtifactType
from app.content.models import ArtifactModel, PodcastScript

WORDS_PER_MINUTE = 150
_TOKENS_PER_WORD = 2.0  # generous: JSON keys and quoting, and languages that take more tokens a word
# What an answer may grow to by its controls alone: the smallest output limit of the providers' current
# models (OpenAI's gpt-4o family: 16,384). A larger CF_LLM_MAX_OUTPUT_TOKENS raises it; the operator knows the model.
GROWTH_CEILING = 16_384
THINKING_CEILING = 8_192


def output_budget(artifact: ArtifactType, controls: dict[str, Any], floor: int) -> int:
    """The output tokens an answer may take: enough for what its controls ask (a 60-minute podcast is some 9,000
    words), never less than ``CF_LLM_MAX_OUTPUT_TOKENS``."""
    words = 0
    if artifact is ArtifactType.PODCAST_SCRIPT:
        words = int(controls.get("minutes", 10)) * WORDS_PER_MINUTE * 5 // 4
    elif "count" in controls:
        words = int(controls["count"]) * 90
    return max(floor, min(GROWTH_CEILING, int(words * _TOKENS_PER_WORD) + 1_024))


def thinking_budget(artifact: ArtifactType, output: int) -> int:
    """The reasoning a thinking model may spend on one answer, on top of its output budget: a quarter of what the
    answer may take, and more for the outline, which must order the whole source."""
    floor = 4_096 if artifact is ArtifactType.OUTLINE else 1_024
    return max(floor, min(THINKING_CEILING, output // 4))


_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def spoken_words(text: str) -> int:
    """Words as speech counts them: space-separated words, and for the scripts written without spaces (Chinese,
    Japanese, Thai; Korean syllables), two characters a word."""
    unspaced = len(_UNSPACED.findall(text))
    spaced = sum(1 for word in text.split() if not _UNSPACED.search(word))
    return spaced + (unspaced + 1) // 2


def held_to_length(
    artifact: ArtifactType, controls: dict[str, Any], content: ArtifactModel
) -> tuple[ArtifactModel, tuple[int, int] | None]:
    """A podcast's minutes from its own words; and, when they are more than a quarter off the requested minutes,
    (words written, words wanted)."""
    if artifact is not ArtifactType.PODCAST_SCRIPT or not isinstance(content, PodcastScript):
        return content, None
    spoken = sum(spoken_words(segment.text) for segment in content.segments)
    measured = content.model_copy(update={"estimated_minutes": max(0.1, min(240.0, round(spoken / 150, 1)))})
    target = int(controls.get("minutes", 10)) * WORDS_PER_MINUTE
    return measured, (None if 0.75 * target <= spoken <= 1.25 * target else (spoken, target))
