"""``/v1/admin/keys``: create (the key shown once), list and show (never the key), revoke and rotate."""

from __future__ import annotations

import httpx

from tests.fixtures.app import ADMIN_KEY

SOURCE = "Mitochondria produce energy for the cell through respiration."


async def create_key(client: httpx.AsyncClient, **body: object) -> dict[str, object]:
    response = await client.post("/v1/admin/keys", json={"owner": "team-a", "name": "frontend", **body})
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    assert response.headers["location"] == f"/v1/admin/keys/{created['id']}"
    return created


def as_key(key: object) -> dict[str, str]:
    return {"X-API-Key": str(key)}


async def test_a_created_key_is_shown_once_and_works_with_its_scopes(client: httpx.AsyncClient) -> None:
    created = await create_key(client, scopes=["jobs:read"], daily_token_budget=50_000, rate_limit="500/hour")
    secret = str(created["key"])
    assert secret.startswith("cf_") and len(secret) >= 3 + 43
    assert created["scopes"] == ["jobs:read"] and created["active"] is True
    assert created["daily_token_budget"] == 50_000 and created["rate_limit"] == "500/hour"

    assert (await client.get("/v1/jobs", headers=as_key(secret))).status_code == 200
    refused = await client.post("/v1/jobs", json={"source_text": SOURCE}, headers=as_key(secret))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "missing_scope"

    listed = await client.get("/v1/admin/keys")
    shown = await client.get(f"/v1/admin/keys/{created['id']}")
    for response in (listed, shown):
        assert response.status_code == 200
        assert secret not in response.text and '"hash"' not in response.text and '"key"' not in response.text
    assert created["id"] in {k["id"] for k in listed.json()["items"]}
    assert shown.json()["tokens_used_today"] == 0


async def test_list_pages_with_a_cursor(client: httpx.AsyncClient) -> None:
    made = {str((await create_key(client, name=f"k{i}"))["id"]) for i in range(4)}
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/admin/keys", params=params)).json()
        seen += [k["id"] for k in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert made <= set(seen) and len(seen) == len(set(seen)) == 5  # the four and the bootstrap admin key


async def test_a_revoked_key_is_refused_at_once_on_this_instance(client: httpx.AsyncClient) -> None:
    created = await create_key(client)
    assert (await client.get("/v1/jobs", headers=as_key(created["key"]))).status_code == 200  # now cached
    revoked = await client.post(f"/v1/admin/keys/{created['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    response = await client.get("/v1/jobs", headers=as_key(created["key"]))
    assert response.status_code == 401 and response.json()["error"]["code"] == "revoked_api_key"
    assert (await client.post(f"/v1/admin/keys/{created['id']}/revoke")).status_code == 200  # idempotent


async def test_rotation_replaces_the_key_at_once_or_after_a_grace_period(client: httpx.AsyncClient) -> None:
    old = await create_key(client, rate_limit="50/hour")
    rotated = await client.post(f"/v1/admin/keys/{old['id']}/rotate")
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()
    assert new["id"] != old["id"] and new["owner"] == old["owner"] and new["rate_limit"] == "50/hour"
    assert (await client.get("/v1/jobs", headers=as_key(old["key"]))).status_code == 401
    assert (await client.get("/v1/jobs", headers=as_key(new["key"]))).status_code == 200
    assert (await client.get(f"/v1/admin/keys/{old['id']}")).json()["replaced_by"] == new["id"]
    again = await client.post(f"/v1/admin/keys/{old['id']}/rotate")
    assert again.status_code == 409 and again.json()["error"]["code"] == "key_not_rotatable"

    graced = await create_key(client)
    response = await client.post(f"/v1/admin/keys/{graced['id']}/rotate", json={"grace_seconds": 3600})
    assert response.status_code == 201
    assert (await client.get("/v1/jobs", headers=as_key(graced["key"]))).status_code == 200
    assert (await client.get("/v1/jobs", headers=as_key(response.json()["key"]))).status_code == 200


async def test_keys_of_one_owner_share_its_jobs(client: httpx.AsyncClient) -> None:
    first, second = await create_key(client, owner="team-b"), await create_key(client, owner="team-b")
    job = await client.post("/v1/jobs", json={"source_text": SOURCE}, headers=as_key(first["key"]))
    assert (await client.get(f"/v1/jobs/{job.json()['id']}", headers=as_key(second["key"]))).status_code == 200
    assert (await client.get(f"/v1/jobs/{job.json()['id']}", headers={"X-API-Key": ADMIN_KEY})).status_code == 404


async def test_bad_key_requests_are_refused_with_the_field_named(client: httpx.AsyncClient) -> None:
    for body, field in (
        ({"owner": "uid:someone", "name": "x"}, "owner"),  # 'uid:' owners are Identity Platform users
        ({"owner": "team", "name": "x", "rate_limit": "lots"}, "rate_limit"),
        ({"owner": "team", "name": "x", "scopes": ["jobs:read", "jobs:read"]}, "scopes"),
        ({"owner": "team", "name": "x", "scopes": ["root"]}, "scopes.0"),
        ({"owner": "team", "name": "x", "secret": "mine"}, "secret"),
        ({"owner": "team", "name": "x", "daily_token_budget": -1}, "daily_token_budget"),
    ):
        response = await client.post("/v1/admin/keys", json=body)
        assert response.status_code == 422, body
        assert field in {d["field"] for d in response.json()["error"]["details"]}, response.text
    assert (await client.get("/v1/admin/keys/" + "0" * 20)).status_code == 404
    assert (await client.get("/v1/admin/keys/not-a-key-id")).status_code == 422
    rotate = await client.post("/v1/admin/keys/" + "0" * 20 + "/rotate", json={"grace_seconds": 10**9})
    assert rotate.status_code == 422


async def test_only_admin_keys_administer_keys(client: httpx.AsyncClient) -> None:
    writer = await create_key(client, scopes=["jobs:read", "jobs:write"])
    for method, path in (("GET", "/v1/admin/keys"), ("POST", "/v1/admin/keys")):
        response = await client.request(method, path, headers=as_key(writer["key"]), json={"owner": "x", "name": "y"})
        assert response.status_code == 403 and response.json()["error"]["code"] == "missing_scope"
