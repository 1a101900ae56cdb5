"""A key revoked through one process is refused by another that shares the store (Firestore emulator) once that
process's verified-key cache has let it go: within ``CF_KEY_CACHE_SECONDS``, the documented bound."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import httpx
import pytest

from e2e.server import Server
from tests.fixtures.naming import unique_project
from tests.fixtures.services import FirestoreEmulator

pytestmark = [pytest.mark.e2e, pytest.mark.services]

CACHE_SECONDS = 2
POLL_SECONDS = 0.25


def test_a_revoked_key_is_refused_by_a_second_process(tmp_path: Path, firestore_emulator: FirestoreEmulator) -> None:
    admin_key = "cf_" + secrets.token_urlsafe(32)
    env = {
        "CF_ENVIRONMENT": "test",
        "CF_STORE": "firestore",
        "GOOGLE_CLOUD_PROJECT": unique_project(),
        "FIRESTORE_EMULATOR_HOST": firestore_emulator.host,
        "CF_BOOTSTRAP_ADMIN_KEY": admin_key,
        "CF_KEY_CACHE_SECONDS": str(CACHE_SECONDS),
    }
    first, second = (Server(env, tmp_path / f"process-{n}.log") for n in range(2))
    first.start()
    second.start()
    try:
        admin = {"X-API-Key": admin_key}
        created = httpx.post(
            f"{first.url}/v1/admin/keys", json={"owner": "team", "name": "k"}, headers=admin, timeout=30
        )
        assert created.status_code == 201, created.text
        key_id, key = created.json()["id"], {"X-API-Key": created.json()["key"]}
        assert httpx.get(f"{second.url}/v1/jobs", headers=key, timeout=30).status_code == 200  # now cached there

        revoked = httpx.post(f"{first.url}/v1/admin/keys/{key_id}/revoke", headers=admin, timeout=30)
        assert revoked.status_code == 200
        assert httpx.get(f"{first.url}/v1/jobs", headers=key, timeout=30).status_code == 401  # at once here

        # The second process refuses it once its cache entry lapses: polls bounded by the cache time plus slack.
        statuses = []
        for _ in range(int((CACHE_SECONDS + 3) / POLL_SECONDS)):
            statuses.append(httpx.get(f"{second.url}/v1/jobs", headers=key, timeout=30).status_code)
            if statuses[-1] == 401:
                break
            time.sleep(POLL_SECONDS)
        assert statuses[-1] == 401, statuses
        assert set(statuses) <= {200, 401}
    finally:
        first.stop()
        second.stop()
