"""The command-line tools audio is made with, run as subprocesses: no shell, a deadline, and errors that say
which Debian package to install."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from app.audio.speech import AudioError

_STDERR_TAIL = 600  # characters of a failing tool's stderr kept in the error


@dataclass(frozen=True, slots=True)
class Tool:
    command: str
    package: str  # the Debian package that installs it


ESPEAK = Tool("espeak-ng", "espeak-ng")
FFMPEG = Tool("ffmpeg", "ffmpeg")


async def run(tool: Tool, args: Sequence[str], *, stdin: bytes | None = None, seconds: float) -> bytes:
    """The tool's stdout. Arguments go to the program as they are (no shell reads them); a tool that is not
    installed, fails or outlives ``seconds`` raises ``AudioError``."""
    try:
        process = await asyncio.create_subprocess_exec(
            tool.command,
            *args,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except FileNotFoundError:
        raise AudioError(
            f"{tool.command} is not installed: install the Debian package {tool.package!r}",
            code="audio_tool_missing",
        ) from None
    try:
        async with asyncio.timeout(seconds):
            out, err = await process.communicate(stdin)
    except TimeoutError:
        raise AudioError(f"{tool.command} ran longer than {seconds:g} s", code="audio_tool_timeout") from None
    finally:
        if process.returncode is None:  # timed out or cancelled: the process must not outlive the call
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    if process.returncode != 0:
        detail = err.decode("utf-8", "replace").strip()[-_STDERR_TAIL:]
        raise AudioError(f"{tool.command} exited with {process.returncode}: {detail}", code="audio_tool_failed")
    return out
