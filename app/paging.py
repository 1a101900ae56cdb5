"""Opaque page cursors for lists ordered newest first: the last item's creation time and id, base64 of JSON."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime

from app.errors import BadRequest

ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # as ids are made, and as the routes accept them


def encode_cursor(created_at: datetime, item_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), item_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The position a cursor of ``encode_cursor`` holds; a 400 naming the field for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, item_id = json.loads(raw)
        moment = datetime.fromisoformat(stamp)
        if not isinstance(item_id, str) or not ID.fullmatch(item_id) or moment.tzinfo is None:
            raise ValueError("malformed")
        moment.astimezone(UTC)  # a stamp near year 1 or 9999 may not be representable in UTC
    except (ValueError, TypeError, OverflowError, binascii.Error, json.JSONDecodeError) as exc:
        raise BadRequest(
            "The cursor is not valid; pass the next_cursor of a previous page.",
            code="invalid_cursor",
            details=[{"field": "cursor", "message": "not a cursor this API issued", "type": "value_error"}],
        ) from exc
    return moment, item_id
