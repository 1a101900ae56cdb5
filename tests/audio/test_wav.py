"""Reading the engines' WAV answers."""

from __future__ import annotations

import struct

import pytest

from app.audio import AudioError
from app.audio.wav import read, silence


def riff(*chunks: bytes, size: int | None = None) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", size if size is not None else len(body)) + body


def fmt(rate: int = 22_050, channels: int = 1, bits: int = 16) -> bytes:
    return b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * channels * bits // 8, channels * 2, bits)


def data(pcm: bytes, size: int | None = None) -> bytes:
    return b"data" + struct.pack("<I", len(pcm) if size is None else size) + pcm


def test_a_streamed_wav_with_an_unknown_size_is_read_to_its_end() -> None:
    clip = read(riff(fmt(), data(b"\x01\x00" * 100, size=0x7FFFFFFF), size=0x7FFFFFFF))
    assert (clip.pcm, clip.sample_rate) == (b"\x01\x00" * 100, 22_050)
    assert clip.duration_seconds == pytest.approx(100 / 22_050)


def test_other_chunks_are_skipped_with_their_padding() -> None:
    clip = read(riff(fmt(24_000), b"LIST" + struct.pack("<I", 3) + b"abc\x00", data(b"\x02\x00")))
    assert (clip.pcm, clip.sample_rate) == (b"\x02\x00", 24_000)


@pytest.mark.parametrize(
    "answer",
    [
        b"",
        b"ID3...",
        riff(fmt(channels=2), data(b"")),
        riff(fmt(bits=8), data(b"")),
        riff(data(b"\x00\x00")),
        riff(fmt()),
    ],
)
def test_anything_but_16_bit_mono_pcm_is_refused(answer: bytes) -> None:
    with pytest.raises(AudioError) as caught:
        read(answer)
    assert caught.value.code == "audio_format"


def test_silence_is_zero_samples() -> None:
    assert silence(0.5, 8_000) == bytes(8_000)
