"""The authorisation matrix: every /v1 operation of the published API, asked with every kind of bad credential,
is refused with the documented status, and another owner's job is indistinguishable from no job at all.

| credential                   | answer                          |
| ---------------------------- | ------------------------------- |
| none                         | 401 missing_api_key             |
| a wrong key                  | 401 invalid_api_key             |
| a revoked key                | 401 revoked_api_key             |
| a key without the scope      | 403 missing_scope               |
| an expired or forged ID token| 401 invalid_id_token            |
| another owner's job          | 404 job_not_found, as for none  |
| worker endpoint, no token    | 401 invalid_worker_credentials  |
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.main import create_app
from tests.fixtures.app import MakeSettings, open_client
from tests.fixtures.fake_generator import FakeGenerator
from tests.fixtures.oidc import SigningKey, certs_server

PROJECT = "demo-cf-matrix"
SOURCE = "Mitochondria produce energy for the cell through respiration."
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/v1/jobs"): {"source_text": SOURCE},
    ("post", "/v1/admin/keys"): {"owner": "x", "name": "y"},
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    responses: frozenset[str]

    def url(self, job_id: str, key_id: str) -> str:
        filled = self.path.replace("{job_id}", job_id).replace("{key_id}", key_id)
        return filled.replace("{artifact_type}", "outline")


@dataclass
class World:
    client: httpx.AsyncClient
    operations: list[Operation]
    keys: dict[str, str]  # name -> key
    key_ids: dict[str, str]
    job_of_other_owner: str
    signer: SigningKey

    async def call(self, operation: Operation, headers: dict[str, str], job_id: str | None = None) -> httpx.Response:
        body = BODIES.get((operation.method, operation.path))
        url = operation.url(job_id or self.job_of_other_owner, self.key_ids["reader"])
        return await self.client.request(operation.method.upper(), url, json=body, headers={"X-API-Key": "", **headers})


@pytest.fixture(scope="module")
def signer() -> SigningKey:
    return SigningKey("matrix-kid")


@pytest.fixture(scope="module")
def certs_url(signer: SigningKey) -> Iterator[str]:
    with certs_server(signer) as url:
        yield url


@pytest.fixture
async def world(make_settings: MakeSettings, certs_url: str, signer: SigningKey) -> AsyncIterator[World]:
    settings = make_settings(
        identity_project=PROJECT,
        identity_certs_url=certs_url,
        tasks_service_account="tasks@project.iam.gserviceaccount.com",
        worker_base_url="https://worker.example.test",
    )
    async for client in open_client(create_app(settings, generator=FakeGenerator())):
        schema = (await client.get("/openapi.json")).json()
        operations = [
            Operation(method, path, frozenset(op["responses"]))
            for path, ops in schema["paths"].items()
            if path.startswith("/v1/")
            for method, op in ops.items()
        ]
        keys, key_ids = {}, {}
        for name, scopes, owner in (
            ("reader", ["jobs:read"], "team-a"),
            ("writer", ["jobs:write"], "team-a"),
            ("jobs", ["jobs:read", "jobs:write"], "team-a"),
            ("revoked", ["jobs:read", "jobs:write", "admin"], "team-a"),
            ("other", ["jobs:read", "jobs:write"], "team-b"),
        ):
            made = (await client.post("/v1/admin/keys", json={"owner": owner, "name": name, "scopes": scopes})).json()
            keys[name], key_ids[name] = made["key"], made["id"]
        await client.post(f"/v1/admin/keys/{key_ids['revoked']}/revoke")
        job = await client.post("/v1/jobs", json={"source_text": SOURCE}, headers={"X-API-Key": keys["other"]})
        yield World(client, operations, keys, key_ids, job.json()["id"], signer)


def assert_refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, (response.request.method, response.request.url, response.text)
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize(
    ("credential", "code"),
    [
        ("none", "missing_api_key"),
        ("wrong key", "invalid_api_key"),
        ("revoked key", "revoked_api_key"),
        ("expired ID token", "invalid_id_token"),
        ("forged ID token", "invalid_id_token"),
    ],
)
async def test_every_operation_refuses_a_bad_credential_with_401(world: World, credential: str, code: str) -> None:
    now = int(time.time())
    claims = {"iss": f"https://securetoken.google.com/{PROJECT}", "aud": PROJECT, "sub": "u1", "email_verified": None}
    headers = {
        "none": {},
        "wrong key": {"X-API-Key": "cf_" + "A" * 43},
        "revoked key": {"X-API-Key": world.keys["revoked"]},
        "expired ID token": {"Authorization": "Bearer " + world.signer.token(**claims, iat=now - 7200, exp=now - 3600)},
        "forged ID token": {"Authorization": "Bearer " + SigningKey("matrix-kid").token(**claims)},
    }[credential]
    assert len(world.operations) >= 12
    for operation in world.operations:
        assert "401" in operation.responses
        response = await world.call(operation, headers)
        assert_refused(response, 401, code)
        assert "www-authenticate" in response.headers or credential in ("wrong key", "revoked key")


async def test_every_scoped_operation_refuses_a_key_without_its_scope(world: World) -> None:
    checked = 0
    for operation in world.operations:
        if "403" not in operation.responses:
            continue
        admin = operation.path.startswith("/v1/admin/")
        writes = operation.method in ("post", "delete")
        lacking = "jobs" if admin else ("reader" if writes else "writer")
        response = await world.call(operation, {"X-API-Key": world.keys[lacking]})
        assert_refused(response, 403, "missing_scope")
        checked += 1
    assert checked == len([o for o in world.operations if o.path != "/v1/content-types"])


async def test_another_owners_job_is_indistinguishable_from_no_job(world: World) -> None:
    job_operations = [o for o in world.operations if "{job_id}" in o.path]
    assert len(job_operations) == 8  # read, events, artifact, its export, the job export, cancel, retry, delete
    for operation in job_operations:
        theirs = await world.call(operation, {"X-API-Key": world.keys["jobs"]})
        missing = await world.call(operation, {"X-API-Key": world.keys["jobs"]}, job_id="job_" + "0" * 24)
        assert_refused(theirs, 404, "job_not_found")
        assert_refused(missing, 404, "job_not_found")

        def shape(response: httpx.Response) -> dict[str, Any]:
            error = dict(response.json()["error"], request_id="")
            error["message"] = re.sub(r"job_[0-9a-f]+", "job_ID", error["message"])
            return error

        assert shape(theirs) == shape(missing)
        assert set(theirs.headers) - {"content-length"} == set(missing.headers) - {"content-length"}
    owner_view = await world.client.get(
        f"/v1/jobs/{world.job_of_other_owner}", headers={"X-API-Key": world.keys["other"]}
    )
    assert owner_view.status_code == 200  # the job exists; it is simply not theirs


async def test_the_worker_endpoint_refuses_anyone_without_its_token(world: World) -> None:
    step = {"job_id": world.job_of_other_owner, "artifact": "outline", "generation": 0}
    for headers in (
        {},
        {"X-API-Key": world.keys["revoked"]},
        {"Authorization": "Bearer not-a-token"},
        {"X-CF-Worker-Secret": "guess"},
    ):
        response = await world.client.post("/internal/tasks/steps", json=step, headers={"X-API-Key": "", **headers})
        assert_refused(response, 401, "invalid_worker_credentials")
