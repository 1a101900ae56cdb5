"""What a client is built from: its arguments, else the environment (read once, when the client is made). A value
the client cannot use is a ``ConfigurationError`` then, naming where it came from, rather than a failure of the
first request."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import httpx

from content_factory_client._errors import ConfigurationError
from content_factory_client._version import VERSION

DEFAULT_URL = "http://127.0.0.1:8080"  # where ``make run`` serves
URL_VARIABLE = "CF_API_URL"
KEY_VARIABLE = "CF_API_KEY"


def base_url(given: str | None) -> str:
    """The API's address: an http or https URL with a host."""
    where = "base_url" if given else URL_VARIABLE if os.environ.get(URL_VARIABLE) else "the default URL"
    value = given or os.environ.get(URL_VARIABLE) or DEFAULT_URL
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"{where} {value!r} is not a URL: {exc}") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"{where} {value!r} is not an http(s) URL with a host, such as {DEFAULT_URL}")
    return value


def headers(api_key: str | None, extra: Mapping[str, str] | None) -> dict[str, str]:
    """The headers of every request: the key (``X-API-Key``; none when neither given nor set), the User-Agent,
    then the caller's own. HTTP header values are ASCII."""
    key = api_key or os.environ.get(KEY_VARIABLE)
    sent = {"User-Agent": f"content-factory-client/{VERSION}"}
    if key:
        _ascii(key, "api_key" if api_key else KEY_VARIABLE)
        sent["X-API-Key"] = key
    for name, value in (extra or {}).items():
        _ascii(name, "a header name")
        _ascii(value, f"the header {name}")
    return {**sent, **(extra or {})}


def _ascii(value: str, where: str) -> None:
    if not value.isascii():
        raise ConfigurationError(f"{where} is not ASCII text, which HTTP headers must be")


def upload_name(path_or_bytes: str | os.PathLike[str] | bytes, filename: str | None) -> str:
    if filename:
        return filename
    if isinstance(path_or_bytes, bytes):
        return "upload"
    return Path(path_or_bytes).name
