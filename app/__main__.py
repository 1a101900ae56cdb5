"""Command line: ``python -m app keys create|list|show|revoke|rotate``, on the store the ``CF_*`` settings name.

    python -m app keys create --owner team-a --name frontend --scope jobs:read --scope jobs:write
    python -m app keys list
    python -m app keys show KEY_ID
    python -m app keys revoke KEY_ID
    python -m app keys rotate KEY_ID --grace-seconds 3600

Output is JSON on stdout. A created or rotated key is printed once, in that output; the store keeps only its
keyed hash. Other instances stop accepting a revoked key within ``CF_KEY_CACHE_SECONDS``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from app.adapters.from_settings import open_store
from app.auth.admin import KeyAdmin
from app.auth.schemas import MAX_GRACE_SECONDS, KeyCreate, KeyPublic, key_created, key_detail
from app.config import Settings
from app.errors import AppError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app", description="Content Factory administration.")
    commands = parser.add_subparsers(dest="area", required=True)
    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(dest="action", required=True)

    create = keys.add_parser("create", help="create a key and print it once")
    create.add_argument("--owner", required=True, help="who the key acts for (keys of one owner share jobs)")
    create.add_argument("--name", required=True, help="a label, e.g. where the key is used")
    create.add_argument(
        "--scope", action="append", dest="scopes", help="jobs:read, jobs:write or admin (repeat; default: jobs)"
    )
    create.add_argument("--daily-token-budget", type=int, help="tokens per UTC day (default: CF_DAILY_TOKEN_BUDGET)")
    create.add_argument("--rate-limit", help="generation requests, e.g. '1000/hour' (default: CF_RATE_LIMIT_PER_KEY)")

    listing = keys.add_parser("list", help="list keys (never the keys themselves)")
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument("--cursor", help="the next_cursor of a previous page")

    for action, text in (("show", "show one key and today's token usage"), ("revoke", "revoke a key now")):
        keys.add_parser(action, help=text).add_argument("key_id")
    rotate = keys.add_parser("rotate", help="replace a key; print the new one once")
    rotate.add_argument("key_id")
    rotate.add_argument("--grace-seconds", type=int, default=0, help="how long the old key keeps working")
    return parser


async def _run(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    store = await open_store(settings)
    try:
        admin = KeyAdmin(store, settings.pepper)
        if args.action == "create":
            spec: dict[str, Any] = {"owner": args.owner, "name": args.name}
            if args.scopes:
                spec["scopes"] = args.scopes
            if args.daily_token_budget is not None:
                spec["daily_token_budget"] = args.daily_token_budget
            if args.rate_limit is not None:
                spec["rate_limit"] = args.rate_limit
            key, secret = await admin.create(KeyCreate.model_validate(spec))
            return key_created(key, admin.now(), secret).model_dump(mode="json")
        if args.action == "list":
            found, next_cursor = await admin.page(limit=max(1, min(args.limit, 1000)), cursor=args.cursor)
            return {
                "items": [KeyPublic.of(k, admin.now()).model_dump(mode="json") for k in found],
                "next_cursor": next_cursor,
            }
        if args.action == "show":
            key = await admin.get(args.key_id)
            return key_detail(key, admin.now(), await admin.usage_today(key.id)).model_dump(mode="json")
        if args.action == "revoke":
            revoked = await admin.revoke(args.key_id)
            return KeyPublic.of(revoked, admin.now()).model_dump(mode="json")
        if not 0 <= args.grace_seconds <= MAX_GRACE_SECONDS:
            raise ValueError(f"--grace-seconds must be between 0 and {MAX_GRACE_SECONDS}")
        key, secret = await admin.rotate(args.key_id, args.grace_seconds)
        return key_created(key, admin.now(), secret).model_dump(mode="json")
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        result = asyncio.run(_run(args, Settings()))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors())
        sys.stderr.write(f"error: {problems}\n")
        return 2
    except (AppError, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    if "key" in result:
        sys.stderr.write("The key is shown only now: store it in your secret manager.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
