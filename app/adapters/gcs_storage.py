"""Blob storage in a Cloud Storage bucket (``google-cloud-storage``): the production adapter. The client is
blocking, so every call runs in a thread.

Download URLs are V4 signed URLs (https://cloud.google.com/storage/docs/access-control/signed-urls), good for a
few minutes, that name the file and its media type. They are signed with ``signer`` where one is given (a
service account key: tests, or a deployment that mounts one); otherwise with the runtime's own service account
through the IAM Credentials ``signBlob`` call, which needs ``iam.serviceAccounts.signBlob`` on that account
(the README's Deploying section), since Cloud Run's metadata credentials hold no private key.

An upload is atomic on Cloud Storage: a blob up to 8 MiB goes in one multipart request, a bigger one as a
resumable upload, and in both cases the object becomes visible only once it is whole
(https://cloud.google.com/storage/docs/uploads-downloads).
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

import anyio.to_thread
import google.auth
import google.auth.transport.requests

# google-cloud-storage ships no type information (no py.typed).
import google.cloud.storage as storage
from google.api_core import exceptions as gexc
from google.cloud.storage.retry import DEFAULT_RETRY

from app.sources.storage import BlobNotFound, check_key, check_prefix, is_key

_TIMEOUT = 60.0  # seconds, per request (the library's default)
_UPLOAD_TIMEOUT = 300.0  # an upload of a large original on a slow link
_LIST_FIELDS = "items(name),nextPageToken"  # names are all a listing needs


class GcsStorage:
    def __init__(
        self, client: storage.Client, bucket: str, *, signer: Any = None, download_endpoint: str | None = None
    ) -> None:
        self._client = client
        self._bucket = client.bucket(bucket)
        self._signer = signer
        self._download_endpoint = download_endpoint
        self._runtime: Any = None  # the runtime's own credentials, once a URL is signed through IAM

    @classmethod
    def open(
        cls,
        bucket: str,
        *,
        project: str | None,
        endpoint: str | None = None,
        signer: Any = None,
        download_endpoint: str | None = None,
    ) -> GcsStorage:
        """A client on Application Default Credentials, or, while ``STORAGE_EMULATOR_HOST`` is set, on the
        emulator there with anonymous credentials (the library reads that variable itself). ``endpoint``
        replaces the API endpoint (a private one, say); it is authenticated like the default one. ``signer``
        (``google.oauth2.service_account.Credentials``) signs download URLs, and ``download_endpoint`` is the
        host they point at (default ``https://storage.googleapis.com``)."""
        options = {"api_endpoint": endpoint} if endpoint else None
        client = storage.Client(project=project, client_options=options)
        return cls(client, bucket, signer=signer, download_endpoint=download_endpoint)

    async def put(self, key: str, data: bytes, *, content_type: str) -> None:
        blob = self._bucket.blob(check_key(key))
        # Retried on transient errors although no generation precondition is set (the library's default since
        # 3.0): a key names one content, so a repeated upload writes what the first one did.
        upload = functools.partial(
            blob.upload_from_string, data, content_type=content_type, timeout=_UPLOAD_TIMEOUT, retry=DEFAULT_RETRY
        )
        await anyio.to_thread.run_sync(upload)

    async def get(self, key: str) -> bytes:
        blob = self._bucket.blob(check_key(key))
        try:
            data: bytes = await anyio.to_thread.run_sync(functools.partial(blob.download_as_bytes, timeout=_TIMEOUT))
        except gexc.NotFound:
            raise BlobNotFound(key) from None
        return data

    async def exists(self, key: str) -> bool:
        blob = self._bucket.blob(check_key(key))
        found: bool = await anyio.to_thread.run_sync(functools.partial(blob.exists, timeout=_TIMEOUT))
        return found

    async def list(self, prefix: str) -> list[str]:
        names = await anyio.to_thread.run_sync(_names_under, self._client, self._bucket, check_prefix(prefix))
        # Only names the port can address (objects written by other tools may have any name).
        return sorted(name for name in names if is_key(name))

    async def delete_prefix(self, prefix: str) -> int:
        return await anyio.to_thread.run_sync(_delete_under, self._client, self._bucket, check_prefix(prefix))

    async def download_url(self, key: str, *, seconds: int, filename: str, media_type: str) -> str | None:
        blob = self._bucket.blob(check_key(key))
        return await anyio.to_thread.run_sync(self._sign, blob, seconds, filename, media_type)

    def _sign(self, blob: storage.Blob, seconds: int, filename: str, media_type: str) -> str:
        signing: dict[str, Any] = {"credentials": self._signer}
        if self._signer is None:  # the runtime's account signs through IAM (see the module docstring)
            if self._runtime is None:
                self._runtime, _ = google.auth.default()
            credentials = self._runtime
            if not credentials.valid:  # an access token lasts about an hour
                credentials.refresh(google.auth.transport.requests.Request())
            email = getattr(credentials, "service_account_email", None)  # user credentials have none
            if not email:
                raise RuntimeError("signing download URLs needs service account credentials (or a signer)")
            signing = {"service_account_email": email, "access_token": credentials.token}
        extra = {"api_access_endpoint": self._download_endpoint} if self._download_endpoint else {}
        url: str = blob.generate_signed_url(
            version="v4",
            expiration=timedelta(seconds=seconds),
            method="GET",
            response_disposition=f'attachment; filename="{filename}"',
            response_type=media_type,
            **signing,
            **extra,
        )
        return url

    async def ping(self) -> None:
        # A one-item listing needs only the permission `list` needs anyway (storage.objects.list); a missing
        # bucket or a refused permission raises.
        listing = self._client.list_blobs(self._bucket, max_results=1, fields=_LIST_FIELDS, timeout=_TIMEOUT)
        await anyio.to_thread.run_sync(next, iter(listing), None)

    async def close(self) -> None:
        await anyio.to_thread.run_sync(self._client.close)


def _names_under(client: storage.Client, bucket: storage.Bucket, prefix: str) -> list[str]:
    return [blob.name for blob in client.list_blobs(bucket, prefix=prefix, fields=_LIST_FIELDS, timeout=_TIMEOUT)]


def _delete_under(client: storage.Client, bucket: storage.Bucket, prefix: str) -> int:
    deleted = 0
    for name in _names_under(client, bucket, prefix):  # listed first: deleting never disturbs the listing's pages
        try:
            bucket.delete_blob(name, timeout=_TIMEOUT)  # retried by the library: a delete is idempotent
        except gexc.NotFound:
            continue  # deleted meanwhile
        deleted += 1
    return deleted
