"""A podcast script read aloud: each segment spoken by its speaker's voice, joined with short pauses, and
encoded as MP3 with a chapter for each segment (ID3 ``CHAP`` frames, written by ``ffmpeg`` from an
FFMETADATA file)."""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path

import anyio

from app.audio import tools, wav
from app.audio.speech import AudioError, Casting, Clip, Speech, cast
from app.content.models import PodcastScript, Segment

MEDIA_TYPE = "audio/mpeg"
EXTENSION = "mp3"
_TITLE_WORDS = 6  # of a segment, after its speaker's name, in its chapter title


@dataclass(frozen=True, slots=True)
class Chapter:
    start: float  # seconds
    end: float
    title: str


@dataclass(frozen=True, slots=True)
class Audio:
    data: bytes
    media_type: str
    extension: str
    duration_seconds: float
    chapters: list[Chapter]
    notes: tuple[str, ...] = ()  # what the listener should know: a language read by English voices


async def render(
    script: PodcastScript,
    speech: Speech,
    *,
    language: str,
    concurrency: int = 4,
    pause_seconds: float = 0.4,
    bitrate_kbps: int = 64,
    encode_timeout_seconds: float = 300.0,
) -> Audio:
    """The script as MP3. ``language`` is the job's BCP 47 tag; at most ``concurrency`` segments are spoken at
    once. Raises ``AudioError``."""
    casting = cast([speaker.name for speaker in script.speakers], speech.voices(), language)
    clips = await _speak(script.segments, speech, casting, concurrency)
    rate = clips[0].sample_rate
    if any(clip.sample_rate != rate for clip in clips):
        raise AudioError("the engine answered at more than one sample rate", code="audio_format")
    pause = wav.silence(pause_seconds, rate)
    pcm = pause.join(clip.pcm for clip in clips)
    starts = list(itertools.accumulate((len(clip.pcm) + len(pause) for clip in clips[:-1]), initial=0))
    ends = [*starts[1:], len(pcm)]  # a chapter runs to the next one's start: the pause after a line is its own
    chapters = [
        Chapter(start=start / 2 / rate, end=end / 2 / rate, title=chapter_title(segment))
        for segment, start, end in zip(script.segments, starts, ends, strict=True)
    ]
    data = await _encode(pcm, rate, script.title, chapters, bitrate_kbps, encode_timeout_seconds)
    return Audio(
        data=data,
        media_type=MEDIA_TYPE,
        extension=EXTENSION,
        duration_seconds=len(pcm) / 2 / rate,
        chapters=chapters,
        notes=casting.notes,
    )


async def check_encoder(*, seconds: float = 10.0) -> None:
    """Raises ``AudioError`` unless ffmpeg is installed with the MP3 encoder: for start-up, before a job needs it."""
    listing = await tools.run(tools.FFMPEG, ["-hide_banner", "-encoders"], seconds=seconds)
    if b"libmp3lame" not in listing:
        raise AudioError("ffmpeg was built without libmp3lame, the MP3 encoder", code="audio_tool_missing")


def chapter_title(segment: Segment) -> str:
    """``Ada: Welcome back to the show, today we…``: the speaker and the first words of the line."""
    words = segment.text.split()
    opening = " ".join(words[:_TITLE_WORDS])
    if len(words) > _TITLE_WORDS:
        opening = opening.rstrip(",;:.") + "…"
    return f"{segment.speaker}: {opening}"


async def _speak(segments: list[Segment], speech: Speech, casting: Casting, concurrency: int) -> list[Clip]:
    gate = asyncio.Semaphore(concurrency)

    async def one(segment: Segment) -> Clip:
        async with gate:
            return await speech.synthesize(segment.text, casting.voices[segment.speaker], language=casting.language)

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(segment)) for segment in segments]
    except ExceptionGroup as failed:  # the first failure cancelled the rest; it is the one to report
        raise failed.exceptions[0] from None
    return [task.result() for task in tasks]


def ffmetadata(title: str, chapters: list[Chapter]) -> str:
    """ffmpeg's metadata file (https://ffmpeg.org/ffmpeg-formats.html#Metadata-2): the title, and one
    ``[CHAPTER]`` a chapter, in milliseconds."""
    lines = [";FFMETADATA1", f"title={_escape(title)}"]
    for chapter in chapters:
        start, end = round(chapter.start * 1000), round(chapter.end * 1000)
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start}", f"END={end}", f"title={_escape(chapter.title)}"]
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    # "=", ";", "#", "\" and newlines are escaped with a backslash in FFMETADATA values.
    for char in ("\\", "=", ";", "#", "\n"):
        value = value.replace(char, "\\" + char)
    return value


async def _encode(
    pcm: bytes, rate: int, title: str, chapters: list[Chapter], bitrate_kbps: int, seconds: float
) -> bytes:
    with tempfile.TemporaryDirectory(prefix="cf-audio-") as folder:
        metadata, output = Path(folder) / "chapters.txt", Path(folder) / "podcast.mp3"
        await anyio.Path(metadata).write_text(ffmetadata(title, chapters), encoding="utf-8")
        args = [
            "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
            "-f", "ffmetadata", "-i", str(metadata),
            "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
            "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k", "-id3v2_version", "3",
            "-y", str(output),
        ]  # fmt: skip
        await tools.run(tools.FFMPEG, args, stdin=pcm, seconds=seconds)
        return await anyio.Path(output).read_bytes()
