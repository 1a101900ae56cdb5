"""Measurements of encoded audio made with the tools and arithmetic, not with the renderer's own numbers:
ffprobe for duration and chapters, ffmpeg to decode, loudness over 50 ms windows, pitch by autocorrelation."""

from __future__ import annotations

import json
import math
import statistics
import subprocess
from array import array
from pathlib import Path
from typing import Any

RATE = 8_000  # decoded at 8 kHz: enough for voice pitch (70–400 Hz) and quick in pure Python
WINDOW = RATE // 20  # 50 ms
SILENT_RMS = 32768 * 10 ** (-40 / 20)  # -40 dBFS


def probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_chapters", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    info: dict[str, Any] = json.loads(out.stdout)
    return info


def decode(path: Path, start: float = 0.0, end: float | None = None) -> array[int]:
    """Mono 16-bit samples at ``RATE``, from ``start`` to ``end`` seconds."""
    span = ["-ss", f"{start:.3f}"] + (["-to", f"{end:.3f}"] if end is not None else [])
    out = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), *span, "-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    samples = array("h")
    samples.frombytes(out.stdout)
    return samples


def rms(samples: array[int], start: int, length: int) -> float:
    chunk = samples[start : start + length]
    return math.sqrt(sum(s * s for s in chunk) / max(1, len(chunk)))


def longest_silence(samples: array[int]) -> float:
    """The longest run of 50 ms windows quieter than -40 dBFS, in seconds."""
    longest = run = 0
    for start in range(0, len(samples) - WINDOW + 1, WINDOW):
        run = run + 1 if rms(samples, start, WINDOW) < SILENT_RMS else 0
        longest = max(longest, run)
    return longest * WINDOW / RATE


def pitch(samples: array[int], low: float = 70.0, high: float = 400.0) -> float:
    """The median fundamental frequency (Hz) of the voiced 40 ms frames, each frame's the lag of its strongest
    normalised autocorrelation between ``low`` and ``high`` (the shortest of the nearly strongest lags)."""
    frame, found = RATE // 25, []
    loud = 32768 * 10 ** (-30 / 20)
    for start in range(0, len(samples) - frame, frame * 2):  # every other frame is plenty
        x = samples[start : start + frame]
        if rms(x, 0, frame) < loud:
            continue
        energy = sum(s * s for s in x)
        lags = range(int(RATE / high), int(RATE / low) + 1)
        r = {lag: sum(x[i] * x[i + lag] for i in range(frame - lag)) / energy for lag in lags}
        best = max(r.values())
        if best < 0.5:  # unvoiced: not clearly periodic
            continue
        # The shortest period that correlates nearly as well as the best: twice the period correlates too.
        found.append(RATE / next(lag for lag in lags if r[lag] >= 0.85 * best))
    return statistics.median(found) if found else 0.0


def decode_pcm(path: Path, rate: int) -> array[int]:
    """Raw 16-bit mono PCM at ``rate``, resampled to ``RATE``."""
    out = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-f",
            "s16le",
            "-ar",
            str(rate),
            "-ac",
            "1",
            "-i",
            str(path),
            "-f",
            "s16le",
            "-ar",
            str(RATE),
            "-",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    samples = array("h")
    samples.frombytes(out.stdout)
    return samples
