"""The rendered podcast, measured from the encoded file: its length against the script's own estimate, its
pauses, its voices and its chapters; and the renderer's handling of engines and tools, over a scripted engine."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from app.audio import Audio, AudioError, Clip, Gender, Voice, check_encoder, render
from app.audio.render import chapter_title, ffmetadata
from app.llm.lengths import WORDS_PER_MINUTE, spoken_words
from tests.audio import measure
from tests.audio.scripts import PHOTOSYNTHESIS, photosynthesis


def estimated_seconds() -> float:
    """The project's own estimate: the script's spoken words at ``WORDS_PER_MINUTE``."""
    return sum(spoken_words(s.text) for s in photosynthesis().segments) / WORDS_PER_MINUTE * 60


def test_duration_is_within_a_third_of_the_scripts_estimate(espeak_podcast: tuple[Audio, Path]) -> None:
    audio, path = espeak_podcast
    measured = float(measure.probe(path)["format"]["duration"])
    estimate = estimated_seconds()
    print(f"measured {measured:.1f} s, estimated {estimate:.1f} s")
    assert abs(measured - estimate) <= estimate / 3
    assert measured == pytest.approx(audio.duration_seconds, abs=0.2)


def test_no_silence_is_longer_than_two_seconds(espeak_podcast: tuple[Audio, Path]) -> None:
    _, path = espeak_podcast
    longest = measure.longest_silence(measure.decode(path))
    print(f"longest silence {longest:.2f} s")
    assert 0.3 <= longest < 2.0  # the pauses between segments are there, and none is a gap


def test_the_two_speakers_have_clearly_different_voices(espeak_podcast: tuple[Audio, Path]) -> None:
    _, path = espeak_podcast
    chapters = measure.probe(path)["chapters"]
    pitches: dict[str, list[float]] = {}
    for chapter, segment in zip(chapters, photosynthesis().segments, strict=True):
        span = measure.decode(path, float(chapter["start_time"]), float(chapter["end_time"]))
        pitches.setdefault(segment.speaker, []).append(measure.pitch(span))
    print({speaker: [round(p) for p in found] for speaker, found in pitches.items()})
    low, high = sorted((sorted(found) for found in pitches.values()), key=min)
    # The highest segment of the lower voice is far below the lowest segment of the higher one.
    assert high[0] / low[-1] > 1.5


def test_each_segment_is_a_chapter_in_the_file(espeak_podcast: tuple[Audio, Path]) -> None:
    audio, path = espeak_podcast
    info = measure.probe(path)
    chapters, segments = info["chapters"], photosynthesis().segments
    assert [c["tags"]["title"] for c in chapters] == [chapter_title(s) for s in segments]
    assert chapters[0]["tags"]["title"] == "Maya: Welcome back to the study hour…"
    starts = [float(c["start_time"]) for c in chapters]
    assert starts[0] == 0 and all(a < b for a, b in itertools.pairwise(starts))
    assert [float(c["end_time"]) for c in chapters[:-1]] == starts[1:]
    assert float(chapters[-1]["end_time"]) == pytest.approx(audio.duration_seconds, abs=0.01)
    assert info["format"]["tags"]["title"] == PHOTOSYNTHESIS["title"]
    assert (audio.media_type, audio.extension) == ("audio/mpeg", "mp3")
    assert audio.data.startswith(b"ID3")


class ScriptedSpeech:
    """Speaks a second of silence a segment, counting how many clips are asked for at once."""

    def __init__(self, rates: tuple[int, ...] = (16_000,)) -> None:
        self.rates = rates
        self.calls = self.running = self.most = 0

    def voices(self) -> list[Voice]:
        return [Voice("low", "en", Gender.MALE), Voice("high", "en", Gender.FEMALE)]

    async def synthesize(self, text: str, voice: Voice, *, language: str) -> Clip:
        self.running += 1
        self.most = max(self.most, self.running)
        await asyncio.sleep(0.01)
        self.running -= 1
        rate = self.rates[self.calls % len(self.rates)]
        self.calls += 1
        return Clip(pcm=bytes(2 * rate), sample_rate=rate)


async def test_segments_are_spoken_four_at_a_time_and_joined_with_pauses() -> None:
    speech = ScriptedSpeech()
    script = photosynthesis().model_copy(update={"segments": photosynthesis().segments * 3})
    audio = await render(script, speech, language="en", concurrency=4, pause_seconds=0.4)
    assert speech.most == 4
    assert audio.duration_seconds == pytest.approx(27 * 1.0 + 26 * 0.4)
    assert [round(c.start, 3) for c in audio.chapters[:3]] == [0.0, 1.4, 2.8]


async def test_clips_at_different_sample_rates_are_refused() -> None:
    with pytest.raises(AudioError) as caught:
        await render(photosynthesis(), ScriptedSpeech(rates=(16_000, 22_050)), language="en")
    assert caught.value.code == "audio_format"


def test_metadata_values_are_escaped() -> None:
    text = ffmetadata("A = B; #1 \\ two\nlines", [])
    assert text.splitlines()[1:3] == ["title=A \\= B\\; \\#1 \\\\ two\\", "lines"]


async def test_the_title_survives_ffmpeg_with_its_special_characters(tmp_path: Path) -> None:
    title = 'Q&A = "quotes"; #1 \\ done'
    script = photosynthesis().model_copy(update={"title": title})
    audio = await render(script, ScriptedSpeech(), language="en")
    (tmp_path / "a.mp3").write_bytes(audio.data)
    assert measure.probe(tmp_path / "a.mp3")["format"]["tags"]["title"] == title


async def test_missing_ffmpeg_names_its_debian_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no tools on it
    with pytest.raises(AudioError) as caught:
        await render(photosynthesis(), ScriptedSpeech(), language="en")
    assert caught.value.code == "audio_tool_missing"
    assert "ffmpeg" in caught.value.message and "Debian package 'ffmpeg'" in caught.value.message


async def test_the_encoder_is_checked_at_start_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await check_encoder()
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(AudioError) as caught:
        await check_encoder()
    assert caught.value.code == "audio_tool_missing"


async def test_an_engine_failure_reaches_the_caller_as_it_is() -> None:
    class Failing(ScriptedSpeech):
        async def synthesize(self, text: str, voice: Voice, *, language: str) -> Clip:
            raise AudioError("engine down", code="speech_unavailable", transient=True)

    with pytest.raises(AudioError) as caught:
        await render(photosynthesis(), Failing(), language="en")
    assert (caught.value.code, caught.value.transient) == ("speech_unavailable", True)
