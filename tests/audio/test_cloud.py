"""The Cloud Text-to-Speech adapter, through the real ``TextToSpeechAsyncClient`` and gRPC, against a local
server speaking the service's protocol (``fake_tts``)."""

from __future__ import annotations

import grpc
import pytest
from google.cloud import texttospeech as tts

from app.audio import AudioError, CloudSpeech, Gender, render
from app.audio.cloud import pieces, voices_of
from tests.audio.fake_tts import VOICES, FakeTts, serve
from tests.audio.scripts import photosynthesis


def test_voices_are_the_chosen_tiers_the_largest_locale_of_each_language_first() -> None:
    listed = tts.ListVoicesResponse(
        voices=[tts.Voice(language_codes=[code], name=name, ssml_gender=g) for code, name, g in VOICES]
    )
    assert [v.name for v in voices_of(listed)] == [
        "cmn-CN-Wavenet-A",
        "de-DE-Neural2-G",
        "de-DE-Wavenet-B",
        "en-US-Neural2-A",
        "en-US-Neural2-C",
        "en-US-Standard-B",
        "en-GB-Neural2-A",
    ]
    assert [v.name for v in voices_of(listed, ("Studio",))] == ["en-US-Studio-O"]
    assert voices_of(listed)[3].gender is Gender.MALE


async def test_a_podcast_is_requested_voice_by_speaker_in_linear16() -> None:
    fake = FakeTts()
    script = photosynthesis()
    async with serve(fake) as client:
        speech = await CloudSpeech.create(client)
        audio = await render(script, speech, language="en")
    voice_of = {"Maya": "en-US-Neural2-A", "Dr. Okafor": "en-US-Neural2-C"}
    sent = sorted(fake.requests, key=lambda r: [s.text for s in script.segments].index(r.input.text))
    assert [(r.input.text, r.voice.name) for r in sent] == [(s.text, voice_of[s.speaker]) for s in script.segments]
    assert {r.voice.language_code for r in sent} == {"en-US"}
    assert {(r.audio_config.audio_encoding, r.audio_config.sample_rate_hertz) for r in sent} == {
        (tts.AudioEncoding.LINEAR16, 24_000)
    }
    assert len(audio.chapters) == len(script.segments)
    words = sum(len(s.text.split()) for s in script.segments)
    assert audio.duration_seconds == pytest.approx(words * 60 / 150 + 8 * 0.4, abs=0.1)


async def test_a_long_segment_is_sent_in_pieces_under_the_request_limit() -> None:
    fake = FakeTts()
    text = "This sentence is one of very many in a long answer. " * 200  # some 10,400 bytes
    async with serve(fake) as client:
        speech = await CloudSpeech.create(client)
        clip = await speech.synthesize(text, speech.voices()[3], language="en-US")
    assert len(fake.requests) == 3
    assert all(len(r.input.text.encode()) <= 4_800 for r in fake.requests)
    assert " ".join(r.input.text for r in fake.requests) == text.strip()
    assert clip.duration_seconds == pytest.approx(len(text.split()) * 60 / 150, abs=0.01)


def test_pieces_cut_at_sentence_ends_then_spaces_then_characters() -> None:
    assert pieces("One. Two! Three?", limit=10) == ["One. Two!", "Three?"]
    assert pieces("aaaa bbbb cccc", limit=9) == ["aaaa bbbb", "cccc"]
    chinese = "光合作用把光变成糖。" * 3
    assert pieces(chinese, limit=40) == ["光合作用把光变成糖。", "光合作用把光变成糖。", "光合作用把光变成糖。"]
    assert pieces("光" * 30, limit=30) == ["光" * 10, "光" * 10, "光" * 10]


async def test_a_passing_outage_is_tried_again() -> None:
    fake = FakeTts(failures=[grpc.StatusCode.UNAVAILABLE])
    async with serve(fake) as client:
        speech = await CloudSpeech.create(client)
        clip = await speech.synthesize("Hello there.", speech.voices()[3], language="en-US")
    assert len(fake.requests) == 2 and clip.duration_seconds > 0


async def test_an_outage_that_lasts_is_a_transient_error() -> None:
    fake = FakeTts(failures=[grpc.StatusCode.UNAVAILABLE] * 50)
    async with serve(fake) as client:
        speech = await CloudSpeech.create(client, retry_seconds=0.5)
        with pytest.raises(AudioError) as caught:
            await speech.synthesize("Hello there.", speech.voices()[3], language="en-US")
    assert (caught.value.code, caught.value.transient) == ("speech_unavailable", True)


async def test_a_refused_request_is_a_permanent_error() -> None:
    fake = FakeTts(failures=[grpc.StatusCode.INVALID_ARGUMENT])
    async with serve(fake) as client:
        speech = await CloudSpeech.create(client)
        with pytest.raises(AudioError) as caught:
            await speech.synthesize("Hello there.", speech.voices()[3], language="en-US")
    assert (caught.value.code, caught.value.transient) == ("speech_failed", False)
    assert len(fake.requests) == 1
