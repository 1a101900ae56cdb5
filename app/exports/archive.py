"""Zip archives that are the same bytes for the same entries: fixed times, modes and creator, in the given order."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

# The earliest time a zip entry can carry; any fixed time would do.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_UNIX = 3  # ZipInfo's creator system defaults to the platform's: fixed so archives do not differ by machine


def zipped(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of ``(path, data)`` entries, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in entries:
            info = zipfile.ZipInfo(path, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _UNIX
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
