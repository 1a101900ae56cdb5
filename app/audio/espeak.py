"""The offline speech engine: ``espeak-ng`` (Debian package ``espeak-ng``), run once a clip.

Every language espeak-ng speaks gets four voices, a variant and a pitch each, men and women alternating, so that
speakers are told apart by ear and by their fundamental frequency (in English some 100, 250, 130 and 180 Hz;
``tests/audio/test_espeak.py`` measures it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.audio import tools, wav
from app.audio.speech import AudioError, Clip, Gender, Voice


@dataclass(frozen=True, slots=True)
class _Variant:
    name: str  # espeak-ng's voice variant (``espeak-ng --voices=variant``)
    gender: Gender
    pitch: int  # espeak-ng's -p, 0 to 99; 50 is the voice's own


_VARIANTS = (
    _Variant("m3", Gender.MALE, 35),
    _Variant("f3", Gender.FEMALE, 65),
    _Variant("m1", Gender.MALE, 80),
    _Variant("f2", Gender.FEMALE, 40),
)
_PITCH = {variant.name: variant.pitch for variant in _VARIANTS}
# "(en 2)": the other tags a voice answers to, with its priority for each (lower is preferred).
_ALSO = re.compile(r"\((\S+) (\d+)\)")


def languages(listing: str) -> list[tuple[str, str]]:
    """``(tag, voice file)`` for each language of ``espeak-ng --voices``, for each primary language its preferred
    locale first (the one espeak-ng itself picks for the bare tag: ``en-gb`` for ``en``, ``fr-fr`` for ``fr``)."""
    ranked: dict[str, tuple[str, int, str]] = {}
    for line in listing.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 5 or not fields[0].isdigit() or fields[1] in ranked:
            continue
        tag, primary = fields[1], fields[1].split("-")[0]
        also = {name: int(priority) for name, priority in _ALSO.findall(line)}
        ranked[tag] = (primary, also.get(primary, int(fields[0])), fields[4])
    return [(tag, ranked[tag][2]) for tag in sorted(ranked, key=lambda tag: (*ranked[tag][:2], tag))]


class EspeakSpeech:
    """``Speech`` over ``espeak-ng``. ``words_per_minute`` is espeak-ng's ``-s``; ``timeout_seconds`` bounds
    each clip."""

    def __init__(self, languages: list[tuple[str, str]], *, words_per_minute: int = 160, timeout_seconds: float = 60.0):
        # A voice is named by its file (``gmw/en+f3``): espeak-ng 1.51 drops the variant of some tags
        # (``en-gb+f3`` speaks as plain ``en-gb``), never of a file.
        self._voices = [
            Voice(name=f"{file}+{variant.name}", language=tag, gender=variant.gender)
            for tag, file in languages
            for variant in _VARIANTS
        ]
        self._rate = words_per_minute
        self._timeout = timeout_seconds

    @classmethod
    async def create(cls, *, words_per_minute: int = 160, timeout_seconds: float = 60.0) -> EspeakSpeech:
        """The engine with the languages this installation of espeak-ng speaks; ``AudioError`` if it has none."""
        listing = await tools.run(tools.ESPEAK, ["--voices"], seconds=timeout_seconds)
        found = languages(listing.decode("utf-8", "replace"))
        if not found:
            raise AudioError("espeak-ng --voices lists no language", code="audio_tool_failed")
        return cls(
            found,
            words_per_minute=words_per_minute,
            timeout_seconds=timeout_seconds,
        )

    def voices(self) -> list[Voice]:
        return list(self._voices)

    async def synthesize(self, text: str, voice: Voice, *, language: str) -> Clip:
        # The voice names its language already (``gmw/en+m3``). The text goes on stdin, so nothing in it can
        # be read as an option, and without -m espeak-ng reads no markup in it either.
        pitch = _PITCH.get(voice.name.rpartition("+")[2], 50)
        args = ["--stdout", "--stdin", "-b", "1", "-v", voice.name, "-p", str(pitch), "-s", str(self._rate)]
        out = await tools.run(tools.ESPEAK, args, stdin=text.encode("utf-8"), seconds=self._timeout)
        return wav.read(out)
