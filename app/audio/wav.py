"""The WAV files engines answer with, read into PCM; and silence to put between clips."""

from __future__ import annotations

import struct

from app.audio.speech import AudioError, Clip

_PCM = 1


def read(data: bytes) -> Clip:
    """The 16-bit mono PCM of a RIFF/WAVE file. A data chunk whose size runs past the end is read to the end:
    ``espeak-ng --stdout`` cannot seek back to write the size, and leaves 0x7FFFFFFF there."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError("the engine's answer is not a WAV file", code="audio_format")
    offset, rate = 12, 0
    while offset + 8 <= len(data):
        chunk, size = struct.unpack_from("<4sI", data, offset)
        body = offset + 8
        if chunk == b"fmt ":
            encoding, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, body)
            if (encoding, channels, bits) != (_PCM, 1, 16):
                raise AudioError(
                    f"the engine's WAV is {bits}-bit, {channels} channel(s), encoding {encoding}; "
                    "16-bit mono PCM is needed",
                    code="audio_format",
                )
        elif chunk == b"data":
            if not rate:
                raise AudioError("the engine's WAV has no format before its data", code="audio_format")
            pcm = data[body : min(body + size, len(data))]
            return Clip(pcm=pcm[: len(pcm) - len(pcm) % 2], sample_rate=rate)
        offset = body + size + size % 2  # chunks are padded to an even length
    raise AudioError("the engine's WAV has no data", code="audio_format")


def silence(seconds: float, sample_rate: int) -> bytes:
    return bytes(2 * round(seconds * sample_rate))
