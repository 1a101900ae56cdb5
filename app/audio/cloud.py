"""The production speech engine: Cloud Text-to-Speech over ``TextToSpeechAsyncClient``, LINEAR16 at one sample
rate, so that the clips of a script join without resampling.

A request takes at most 5,000 bytes of text (https://cloud.google.com/text-to-speech/quotas), so a long segment
is spoken in pieces cut at sentence ends and joined again.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from google.api_core import exceptions, retry_async
from google.cloud import texttospeech as tts

from app.audio import wav
from app.audio.speech import AudioError, Clip, Gender, Voice

# Voice families by name (``en-US-Neural2-C``), preferred first; the others (Studio, Chirp, Journey…) are
# priced or limited otherwise and are chosen only when asked for.
DEFAULT_TIERS = ("Neural2", "Wavenet", "Standard")
_MAX_INPUT_BYTES = 4_800  # under the 5,000-byte limit, with room for the joins
_SENTENCE = re.compile(r"(?<=[。！？])|(?<=[.!?…])\s+")
_RETRIED = (
    exceptions.ServiceUnavailable,
    exceptions.InternalServerError,
    exceptions.ResourceExhausted,
    exceptions.DeadlineExceeded,
)
_TRANSIENT = (*_RETRIED, exceptions.RetryError)  # RetryError: still failing when the retries ran out
_GENDERS = {tts.SsmlVoiceGender.MALE: Gender.MALE, tts.SsmlVoiceGender.FEMALE: Gender.FEMALE}


class SpeechClient(Protocol):
    """What is used of ``TextToSpeechAsyncClient`` (``timeout`` is its keyword, per attempt)."""

    async def list_voices(self, *, timeout: float) -> tts.ListVoicesResponse: ...  # noqa: ASYNC109

    async def synthesize_speech(
        self,
        request: tts.SynthesizeSpeechRequest,
        *,
        retry: retry_async.AsyncRetry,
        timeout: float,  # noqa: ASYNC109
    ) -> tts.SynthesizeSpeechResponse: ...


def voices_of(response: tts.ListVoicesResponse, tiers: Sequence[str] = DEFAULT_TIERS) -> list[Voice]:
    """The voices of ``tiers``, each language's locale with the most voices first, then by tier and name."""
    found: list[tuple[int, Voice]] = []
    for voice in response.voices:
        if not voice.language_codes:
            continue
        language = voice.language_codes[0]
        tier = voice.name.removeprefix(f"{language}-").split("-")[0]
        if tier in tiers:
            gender = _GENDERS.get(voice.ssml_gender, Gender.NEUTRAL)
            found.append((tiers.index(tier), Voice(name=voice.name, language=language, gender=gender)))
    per_locale = Counter(voice.language for _, voice in found)

    def order(item: tuple[int, Voice]) -> tuple[str, int, str, int, str]:
        rank, voice = item
        return (voice.language.split("-")[0], -per_locale[voice.language], voice.language, rank, voice.name)

    return [voice for _, voice in sorted(found, key=order)]


def pieces(text: str, limit: int = _MAX_INPUT_BYTES) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` UTF-8 bytes: at sentence ends, else at spaces, else
    anywhere."""
    out: list[str] = []
    for sentence in filter(None, (s.strip() for s in _SENTENCE.split(text))):
        for part in _fit(sentence, limit):
            joined = f"{out[-1]} {part}" if out else part
            if out and len(joined.encode()) <= limit:
                out[-1] = joined
            else:
                out.append(part)
    return out


def _fit(sentence: str, limit: int) -> list[str]:
    if len(sentence.encode()) <= limit:
        return [sentence]
    parts: list[str] = [""]
    for word in sentence.split(" "):
        while len(word.encode()) > limit:  # a run without spaces (Chinese, Japanese): cut by characters
            cut = len(word.encode()[:limit].decode("utf-8", "ignore"))
            parts += [word[:cut], ""]
            word = word[cut:]
        joined = f"{parts[-1]} {word}".strip()
        if len(joined.encode()) <= limit:
            parts[-1] = joined
        else:
            parts.append(word)
    return [part for part in parts if part]


class CloudSpeech:
    """``Speech`` over Cloud Text-to-Speech. ``timeout_seconds`` bounds each attempt; transient failures are
    tried again for up to ``retry_seconds``, then raise a transient ``AudioError``."""

    def __init__(
        self,
        client: SpeechClient,
        voices: list[Voice],
        *,
        sample_rate: int = 24_000,
        timeout_seconds: float = 60.0,
        retry_seconds: float = 30.0,
    ):
        self._client = client
        self._voices = voices
        self._rate = sample_rate
        self._timeout = timeout_seconds
        self._retry = retry_async.AsyncRetry(
            predicate=retry_async.if_exception_type(*_RETRIED),
            initial=0.25,
            maximum=4.0,
            timeout=retry_seconds,
        )

    @classmethod
    async def create(
        cls,
        client: SpeechClient,
        *,
        tiers: Sequence[str] = DEFAULT_TIERS,
        sample_rate: int = 24_000,
        timeout_seconds: float = 60.0,
        retry_seconds: float = 30.0,
    ) -> CloudSpeech:
        """The engine with the voices of ``tiers`` the service lists (one call, at start-up)."""
        try:
            response = await client.list_voices(timeout=timeout_seconds)
        except exceptions.GoogleAPIError as error:
            raise _failure(error) from error
        return cls(
            client,
            voices_of(response, tiers),
            sample_rate=sample_rate,
            timeout_seconds=timeout_seconds,
            retry_seconds=retry_seconds,
        )

    def voices(self) -> list[Voice]:
        return list(self._voices)

    async def synthesize(self, text: str, voice: Voice, *, language: str) -> Clip:
        pcm: list[bytes] = []
        for piece in pieces(text):
            request = tts.SynthesizeSpeechRequest(
                input=tts.SynthesisInput(text=piece),
                voice=tts.VoiceSelectionParams(language_code=language, name=voice.name),
                audio_config=tts.AudioConfig(audio_encoding=tts.AudioEncoding.LINEAR16, sample_rate_hertz=self._rate),
            )
            try:
                response = await self._client.synthesize_speech(request, retry=self._retry, timeout=self._timeout)
            except exceptions.GoogleAPIError as error:
                raise _failure(error) from error
            clip = wav.read(response.audio_content)  # LINEAR16 answers carry a WAV header
            if clip.sample_rate != self._rate:
                raise AudioError(f"Cloud Text-to-Speech answered at {clip.sample_rate} Hz", code="audio_format")
            pcm.append(clip.pcm)
        return Clip(pcm=b"".join(pcm), sample_rate=self._rate)


def _failure(error: exceptions.GoogleAPIError) -> AudioError:
    transient = isinstance(error, _TRANSIENT)
    return AudioError(
        f"Cloud Text-to-Speech: {error}",
        code="speech_unavailable" if transient else "speech_failed",
        transient=transient,
    )
