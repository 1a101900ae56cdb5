"""What a client is built from: its arguments, else the environment (read once, when the client is made)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from content_factory_client._version import VERSION

DEFAULT_URL = "http://127.0.0.1:8080"  # where ``make run`` serves
URL_VARIABLE = "CF_API_URL"
KEY_VARIABLE = "CF_API_KEY"


def base_url(given: str | None) -> str:
    return given or os.environ.get(URL_VARIABLE) or DEFAULT_URL


def headers(api_key: str | None, extra: Mapping[str, str] | None) -> dict[str, str]:
    """The headers of every request: the key (``X-API-Key``; none when neither given nor set), the User-Agent,
    then the caller's own."""
    key = api_key or os.environ.get(KEY_VARIABLE)
    sent = {"User-Agent": f"content-factory-client/{VERSION}"}
    if key:
        sent["X-API-Key"] = key
    return {**sent, **(extra or {})}


def upload_name(path_or_bytes: str | os.PathLike[str] | bytes, filename: str | None) -> str:
    if filename:
        return filename
    if isinstance(path_or_bytes, bytes):
        return "upload"
    return Path(path_or_bytes).name
