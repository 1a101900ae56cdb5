"""Casting: which voice reads which speaker, for which language."""

from __future__ import annotations

import pytest

from app.audio import AudioError, Gender, Voice, cast

M, F = Gender.MALE, Gender.FEMALE
VOICES = [
    Voice("de-1", "de-DE", M),
    Voice("de-2", "de-DE", F),
    Voice("en-us-1", "en-US", M),
    Voice("en-us-2", "en-US", M),
    Voice("en-us-3", "en-US", F),
    Voice("en-gb-1", "en-GB", F),
    Voice("cmn-1", "cmn-CN", F),
]


def names(speakers: list[str], language: str, voices: list[Voice] = VOICES) -> list[str]:
    chosen = cast(speakers, voices, language).voices
    return [chosen[speaker].name for speaker in speakers]


def test_the_first_speaker_always_has_the_first_voice_and_the_second_another_gender() -> None:
    assert names(["Ada", "Ben"], "en-US") == ["en-us-1", "en-us-3"]
    assert names(["Zoe", "Yan", "Xi"], "en-US") == ["en-us-1", "en-us-3", "en-us-2"]
    assert names(["Ada", "Ben"], "en-US") == names(["Ada", "Ben"], "en-us")


def test_a_region_the_engine_lacks_takes_its_first_locale_of_the_language() -> None:
    casting = cast(["Ada", "Ben"], VOICES, "en-AU")
    assert casting.language == "en-US" and not casting.notes
    assert names(["Ada", "Ben"], "en-GB") == ["en-gb-1", "en-gb-1"]


def test_chinese_is_mandarin_to_the_engines() -> None:
    assert cast(["Ada", "Ben"], VOICES, "zh-CN").language == "cmn-CN"


def test_a_language_without_voices_falls_back_to_english_with_a_note() -> None:
    casting = cast(["Ada", "Ben"], VOICES, "sw")
    assert casting.language == "en-US"
    assert casting.notes == ("no voice speaks 'sw'; the script is read by English voices",)


def test_more_speakers_than_voices_share_them_with_a_note() -> None:
    casting = cast(["A", "B", "C"], VOICES, "de")
    assert [casting.voices[s].name for s in "ABC"] == ["de-1", "de-2", "de-1"]
    assert casting.notes == ("3 speakers share 2 voices",)


def test_no_voice_at_all_is_an_error() -> None:
    with pytest.raises(AudioError) as caught:
        cast(["A", "B"], [Voice("de-1", "de-DE", M)], "fr")
    assert caught.value.code == "speech_failed"
