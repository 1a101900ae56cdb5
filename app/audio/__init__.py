"""Podcast audio: a script read aloud by a text-to-speech engine and encoded as MP3 with chapters.

    speech = await EspeakSpeech.create()          # offline; or await CloudSpeech.create(TextToSpeechAsyncClient())
    await check_encoder()                         # at start-up: ffmpeg with its MP3 encoder is installed
    audio = await render(script, speech, language="en")
    audio.data, audio.media_type, audio.extension  # b"ID3...", "audio/mpeg", "mp3"
    audio.duration_seconds, audio.chapters         # one Chapter(start, end, title) a segment

Engines implement ``Speech`` (``voices()``, ``synthesize(text, voice, language=...)``); ``cast`` gives each
speaker a voice. Every failure is an ``AudioError`` with a ``code``; a missing tool's names its Debian package.
"""

from app.audio.cloud import CloudSpeech
from app.audio.espeak import EspeakSpeech
from app.audio.render import Audio, Chapter, check_encoder, render
from app.audio.speech import AudioError, Casting, Clip, Gender, Speech, Voice, cast

__all__ = [
    "Audio",
    "AudioError",
    "Casting",
    "Chapter",
    "Clip",
    "CloudSpeech",
    "EspeakSpeech",
    "Gender",
    "Speech",
    "Voice",
    "cast",
    "check_encoder",
    "render",
]
