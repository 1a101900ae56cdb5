"""Identity Platform users end to end against the Firebase Auth emulator: its users sign up and call the API with
their ID tokens. The emulator's tokens are unsigned, so they count only where the emulator is configured."""

from __future__ import annotations

import uuid

import pytest

from app.main import create_app
from tests.fixtures.app import MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator
from tests.fixtures.services import FirebaseAuthEmulator

pytestmark = pytest.mark.services
SOURCE = "Mitochondria produce energy for the cell through respiration."


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-API-Key": ""}


async def test_emulator_users_create_and_read_their_own_jobs(
    firebase_auth_emulator: FirebaseAuthEmulator, make_settings: MakeSettings
) -> None:
    alice = firebase_auth_emulator.sign_up(f"alice-{uuid.uuid4().hex[:8]}@example.com")
    bob = firebase_auth_emulator.sign_up(f"bob-{uuid.uuid4().hex[:8]}@example.com")
    settings = make_settings(
        identity_project=firebase_auth_emulator.project, firebase_auth_emulator_host=firebase_auth_emulator.host
    )
    async for api in open_client(create_app(settings, generator=FakeGenerator())):
        created = await api.post("/v1/jobs", json={"source_text": SOURCE}, headers=bearer(alice["idToken"]))
        assert created.status_code == 202, created.text
        job_id = created.json()["id"]
        assert (await api.get(f"/v1/jobs/{job_id}", headers=bearer(alice["idToken"]))).status_code == 200
        assert (await api.get(f"/v1/jobs/{job_id}", headers=bearer(bob["idToken"]))).status_code == 404
        mine = await api.get("/v1/jobs", headers=bearer(alice["idToken"]))
        assert [j["id"] for j in mine.json()["items"]] == [job_id]


async def test_emulator_tokens_are_refused_for_another_project_and_without_the_emulator(
    firebase_auth_emulator: FirebaseAuthEmulator, make_settings: MakeSettings
) -> None:
    token = firebase_auth_emulator.sign_up(f"carol-{uuid.uuid4().hex[:8]}@example.com")["idToken"]
    elsewhere = make_settings(identity_project="demo-other", firebase_auth_emulator_host=firebase_auth_emulator.host)
    async for api in open_client(create_app(elsewhere, generator=FakeGenerator())):
        response = await api.get("/v1/jobs", headers=bearer(token))
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_id_token"
    # Without FIREBASE_AUTH_EMULATOR_HOST a token must be signed: the emulator's unsigned one is refused.
    signed_only = make_settings(identity_project=firebase_auth_emulator.project)
    async for api in open_client(create_app(signed_only, generator=FakeGenerator())):
        response = await api.get("/v1/jobs", headers=bearer(token))
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_id_token"
