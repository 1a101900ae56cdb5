"""The text-to-speech port: voices, the clip an engine returns, and how a script's speakers are cast to voices.

Adapters: ``EspeakSpeech`` (``espeak-ng``, offline) and ``CloudSpeech`` (Cloud Text-to-Speech).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from app.errors import AppError

FALLBACK_LANGUAGE = "en"
# BCP 47 primary subtags that engines name otherwise: both espeak-ng and Cloud Text-to-Speech call Mandarin
# "cmn" (``cmn-CN``), where a job says ``zh``.
_ALIASES = {"zh": "cmn"}


class AudioError(AppError):
    """Speech or encoding failed. ``code`` says why (``audio_tool_missing``, ``audio_tool_failed``,
    ``audio_tool_timeout``, ``audio_format``, ``speech_failed``, ``speech_unavailable``); ``transient`` failures
    may succeed when tried again."""

    status, code = 503, "audio_failed"

    def __init__(self, message: str, *, code: str, transient: bool = False) -> None:
        super().__init__(message, code=code)
        self.transient = transient


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"
    NEUTRAL = "neutral"


@dataclass(frozen=True, slots=True)
class Voice:
    """A voice as its engine names it, with the language tag it speaks in that engine's spelling."""

    name: str
    language: str
    gender: Gender


@dataclass(frozen=True, slots=True)
class Clip:
    """Speech as 16-bit signed little-endian mono PCM."""

    pcm: bytes
    sample_rate: int

    @property
    def duration_seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


class Speech(Protocol):
    def voices(self) -> list[Voice]:
        """Every voice the engine offers, the preferred first: for each language, the locale to use when a job
        names the language alone comes before the other locales of that language."""
        ...

    async def synthesize(self, text: str, voice: Voice, *, language: str) -> Clip:
        """``text`` spoken by ``voice``. ``language`` is the tag the voice was cast for (``Casting.language``),
        which is the voice's own; engines that select a voice by name alone may ignore it."""
        ...


@dataclass(frozen=True, slots=True)
class Casting:
    language: str  # the engine's tag the voices speak
    voices: dict[str, Voice]  # by speaker name
    notes: tuple[str, ...] = ()


def _subtags(tag: str) -> list[str]:
    parts = tag.replace("_", "-").lower().split("-")
    parts[0] = _ALIASES.get(parts[0], parts[0])
    return parts


def _candidates(voices: Sequence[Voice], language: str) -> list[Voice]:
    """The voices of one locale for ``language``: its exact tag, else the engine's first locale of its
    primary language."""
    wanted = _subtags(language)
    exact = [v for v in voices if _subtags(v.language) == wanted]
    if exact:
        return exact
    same = [v for v in voices if _subtags(v.language)[0] == wanted[0]]
    return [v for v in same if v.language == same[0].language] if same else []


def cast(speakers: Sequence[str], voices: Sequence[Voice], language: str) -> Casting:
    """A voice for each speaker, the same for the same inputs: the speakers in order take the engine's voices
    for the language in its order, each of another gender than the speaker before when one is left. A language
    the engine does not speak falls back to English, with a note."""
    notes: list[str] = []
    candidates = _candidates(voices, language)
    if not candidates:
        candidates = _candidates(voices, FALLBACK_LANGUAGE)
        notes.append(f"no voice speaks {language!r}; the script is read by English voices")
    if not candidates:
        raise AudioError(f"no voice speaks {language!r} or English", code="speech_failed")
    chosen: dict[str, Voice] = {}
    unused = list(candidates)
    previous: Voice | None = None
    for speaker in speakers:
        if not unused:
            unused = list(candidates)
            notes.append(f"{len(speakers)} speakers share {len(candidates)} voices")
        pick = next((v for v in unused if previous is None or v.gender != previous.gender), unused[0])
        unused.remove(pick)
        chosen[speaker] = previous = pick
    return Casting(language=candidates[0].language, voices=chosen, notes=tuple(dict.fromkeys(notes)))
