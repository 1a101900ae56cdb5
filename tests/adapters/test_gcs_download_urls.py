"""Download URLs from Cloud Storage, on the storage emulator: a V4 signed URL that serves the blob, names the file,
and expires when it says.

The emulator serves a signed URL without checking its signature or its expiry (Cloud Storage does both), so the
test checks them itself: it rebuilds the string the V4 process signs from the URL alone and verifies the signature
with the signing key's public half, and reads the expiry the signature covers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from google.oauth2 import service_account

from app.adapters.gcs_storage import GcsStorage
from app.adapters.local_storage import LocalStorage
from tests.fixtures.services import GcsEmulator
from tests.fixtures.signing import signing_key

pytestmark = pytest.mark.services

SECONDS = 120


@pytest.fixture
async def signed(gcs_emulator: GcsEmulator) -> AsyncIterator[tuple[GcsStorage, rsa.RSAPrivateKey]]:
    key, info = signing_key()
    signer = service_account.Credentials.from_service_account_info(info)
    opened = GcsStorage.open(gcs_emulator.bucket, project=None, signer=signer, download_endpoint=gcs_emulator.url)
    yield opened, key
    await opened.close()


def string_to_sign(url: str) -> tuple[str, bytes]:
    """The V4 string to sign of a GET of ``url`` (https://cloud.google.com/storage/docs/authentication/signatures),
    and the signature the URL carries."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    signature = bytes.fromhex(query.pop("X-Goog-Signature"))
    canonical_query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in sorted(query.items()))
    headers = {name: "" for name in query["X-Goog-SignedHeaders"].split(";")}
    headers["host"] = parts.netloc
    canonical_headers = "".join(f"{name}:{headers[name]}\n" for name in sorted(headers))
    request = "\n".join(
        ["GET", parts.path, canonical_query, canonical_headers, query["X-Goog-SignedHeaders"], "UNSIGNED-PAYLOAD"]
    )
    scope = query["X-Goog-Credential"].split("/", 1)[1]
    digest = hashlib.sha256(request.encode()).hexdigest()
    return "\n".join(["GOOG4-RSA-SHA256", query["X-Goog-Date"], scope, digest]), signature


async def test_a_signed_url_serves_the_file_under_its_name_and_expires_when_it_says(
    signed: tuple[GcsStorage, rsa.RSAPrivateKey],
) -> None:
    storage, key = signed
    data = json.dumps({"cards": ["a", "b"]}).encode()
    await storage.put("exports/j1/flashcards.abc.json", data, content_type="application/json")
    url = await storage.download_url(
        "exports/j1/flashcards.abc.json", seconds=SECONDS, filename="photosynthesis-flashcards.json",
        media_type="application/json",
    )  # fmt: skip
    assert url is not None
    served = httpx.get(url, timeout=10)
    assert served.status_code == 200 and served.content == data

    query = dict(parse_qsl(urlsplit(url).query))
    assert query["X-Goog-Algorithm"] == "GOOG4-RSA-SHA256"
    assert query["X-Goog-Credential"].startswith("cf-runtime@demo-test.iam.gserviceaccount.com/")
    assert query["response-content-disposition"] == 'attachment; filename="photosynthesis-flashcards.json"'
    assert query["response-content-type"] == "application/json"
    assert re.fullmatch(r"\d{8}T\d{6}Z", query["X-Goog-Date"])  # the signing time, which the signature covers
    assert int(query["X-Goog-Expires"]) == SECONDS  # Cloud Storage refuses the URL this long after that time

    message, signature = string_to_sign(url)
    key.public_key().verify(signature, message.encode(), padding.PKCS1v15(), hashes.SHA256())  # raises if wrong
    tampered = url.replace(f"X-Goog-Expires={SECONDS}", "X-Goog-Expires=604800")
    forged_message, _ = string_to_sign(tampered)
    with pytest.raises(InvalidSignature):  # a longer life is not what was signed
        key.public_key().verify(signature, forged_message.encode(), padding.PKCS1v15(), hashes.SHA256())
    stranger, _ = signing_key()
    with pytest.raises(InvalidSignature):  # nor is another key's signature this one
        stranger.public_key().verify(signature, message.encode(), padding.PKCS1v15(), hashes.SHA256())


async def test_a_local_folder_makes_no_urls(tmp_path: Path) -> None:
    storage = LocalStorage.open(tmp_path)
    await storage.put("exports/j1/a.json", b"{}", content_type="application/json")
    assert await storage.download_url("exports/j1/a.json", seconds=60, filename="a.json", media_type="x") is None
    with pytest.raises(ValueError, match="unsafe"):
        await storage.download_url("../a.json", seconds=60, filename="a.json", media_type="x")
