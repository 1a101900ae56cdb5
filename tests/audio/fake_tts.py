"""A Cloud Text-to-Speech server on 127.0.0.1 speaking the real gRPC protocol, so that the real
``TextToSpeechAsyncClient`` is tested up to the wire. It answers LINEAR16 WAV: a tone for each voice, as long as
the words would take at 150 a minute, and records every request."""

from __future__ import annotations

import io
import math
import struct
import wave
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.cloud import texttospeech as tts
from google.cloud.texttospeech_v1.services.text_to_speech.transports import TextToSpeechGrpcAsyncIOTransport

SERVICE = "google.cloud.texttospeech.v1.TextToSpeech"
MALE, FEMALE = tts.SsmlVoiceGender.MALE, tts.SsmlVoiceGender.FEMALE
VOICES = [
    ("en-GB", "en-GB-Neural2-A", FEMALE),
    ("en-US", "en-US-Standard-B", MALE),
    ("en-US", "en-US-Neural2-C", FEMALE),
    ("en-US", "en-US-Neural2-A", MALE),
    ("en-US", "en-US-Studio-O", FEMALE),
    ("en-US", "en-US-Chirp3-HD-Achernar", FEMALE),
    ("de-DE", "de-DE-Wavenet-B", MALE),
    ("de-DE", "de-DE-Neural2-G", FEMALE),
    ("cmn-CN", "cmn-CN-Wavenet-A", FEMALE),
]


def tone(seconds: float, frequency: float, rate: int) -> bytes:
    period = round(rate / frequency)
    cycle = struct.pack(f"<{period}h", *(int(8_000 * math.sin(2 * math.pi * i / period)) for i in range(period)))
    length = int(seconds * rate)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((cycle * (length // period + 1))[: 2 * length])
    return out.getvalue()


@dataclass
class FakeTts:
    failures: list[grpc.StatusCode] = field(default_factory=list)  # the next calls' errors, in order
    requests: list[tts.SynthesizeSpeechRequest] = field(default_factory=list)

    async def list_voices(
        self, request: tts.ListVoicesRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> tts.ListVoicesResponse:
        voices = [
            tts.Voice(language_codes=[code], name=name, ssml_gender=gender, natural_sample_rate_hertz=24_000)
            for code, name, gender in VOICES
        ]
        return tts.ListVoicesResponse(voices=voices)

    async def synthesize(
        self, request: tts.SynthesizeSpeechRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> tts.SynthesizeSpeechResponse:
        self.requests.append(request)
        if self.failures:
            await context.abort(self.failures.pop(0), "scripted failure")
        names = [name for _, name, _ in VOICES]
        if request.voice.name not in names or len(request.input.text.encode()) > 5_000:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "unknown voice or input too long")
        frequency = 100.0 + 40 * names.index(request.voice.name)
        seconds = len(request.input.text.split()) * 60 / 150
        return tts.SynthesizeSpeechResponse(
            audio_content=tone(seconds, frequency, request.audio_config.sample_rate_hertz)
        )


@asynccontextmanager
async def serve(fake: FakeTts) -> AsyncIterator[tts.TextToSpeechAsyncClient]:
    """The real async client, connected to ``fake`` over an insecure local channel."""
    handlers = {
        "ListVoices": grpc.unary_unary_rpc_method_handler(
            fake.list_voices,
            request_deserializer=tts.ListVoicesRequest.deserialize,
            response_serializer=tts.ListVoicesResponse.serialize,
        ),
        "SynthesizeSpeech": grpc.unary_unary_rpc_method_handler(
            fake.synthesize,
            request_deserializer=tts.SynthesizeSpeechRequest.deserialize,
            response_serializer=tts.SynthesizeSpeechResponse.serialize,
        ),
    }
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    # The options the client's own channel is made with (``TextToSpeechGrpcAsyncIOTransport.create_channel``):
    # a clip of minutes is far larger than gRPC's default 4 MB.
    unlimited = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=unlimited)
    try:
        yield tts.TextToSpeechAsyncClient(transport=TextToSpeechGrpcAsyncIOTransport(channel=channel))
    finally:
        await channel.close()
        await server.stop(grace=None)
