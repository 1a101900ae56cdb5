"""The checked-in Firestore index file covers the queries the store runs (the emulator ignores indexes, so
this is where a missing one would show)."""

from __future__ import annotations

import json
from pathlib import Path

INDEXES = Path(__file__).resolve().parents[2] / "infra" / "firestore" / "firestore.indexes.json"


def composite(*fields: tuple[str, str]) -> list[dict[str, str]]:
    return [{"fieldPath": path, "order": order} for path, order in fields]


def test_every_store_query_has_its_composite_index() -> None:
    declared = [i["fields"] for i in json.loads(INDEXES.read_text())["indexes"] if i["collectionGroup"] == "jobs"]
    wanted = [
        # list_jobs(owner): owner ==, newest first, ties by id
        composite(("owner", "ASCENDING"), ("created_at", "DESCENDING"), ("__name__", "DESCENDING")),
        # list_jobs(owner, status)
        composite(
            ("owner", "ASCENDING"), ("status", "ASCENDING"), ("created_at", "DESCENDING"), ("__name__", "DESCENDING")
        ),
        # unfinished_jobs: status in [...], oldest first
        composite(("status", "ASCENDING"), ("created_at", "ASCENDING")),
    ]
    for fields in wanted:
        assert fields in declared
    sources = [i["fields"] for i in json.loads(INDEXES.read_text())["indexes"] if i["collectionGroup"] == "sources"]
    # list_sources(owner): owner ==, newest first, ties by id
    assert composite(("owner", "ASCENDING"), ("created_at", "DESCENDING"), ("__name__", "DESCENDING")) in sources
    for group, field in (("webhooks", "owner"), ("webhook_deliveries", "webhook_id")):
        # list_webhooks(owner), list_deliveries(webhook_id): newest first, ties by id
        declared_here = [
            i["fields"] for i in json.loads(INDEXES.read_text())["indexes"] if i["collectionGroup"] == group
        ]
        assert (
            composite((field, "ASCENDING"), ("created_at", "DESCENDING"), ("__name__", "DESCENDING")) in declared_here
        )


def test_expiry_field_has_a_ttl_policy_and_big_fields_are_not_indexed() -> None:
    overrides = {(o["collectionGroup"], o["fieldPath"]): o for o in json.loads(INDEXES.read_text())["fieldOverrides"]}
    assert overrides[("jobs", "expires_at")]["ttl"] is True
    for field in (("jobs", "request"), ("jobs", "state"), ("artifacts", "content")):
        assert overrides[field]["indexes"] == []
