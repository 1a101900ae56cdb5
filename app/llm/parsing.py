"""Turning what a model said into JSON: tolerant of code fences, prose or "thinking" around the object, single
quotes and trailing commas (``json-repair``); strict about what truncation and emptiness mean."""

from __future__ import annotations

import json
import re
from typing import Any

from json_repair import repair_json

_THINKING = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)


class OutputError(ValueError):
    """The model's answer is not a JSON object we can use; the message says why, for a re-ask."""


def parse_object(text: str) -> dict[str, Any]:
    cleaned = _THINKING.sub("", text).strip()
    if not cleaned:
        raise OutputError("the answer was empty")
    fenced = _FENCE.search(cleaned)
    if fenced:
        cleaned = fenced.group(1).strip()
    start = cleaned.find("{")
    if start < 0:
        raise OutputError("the answer contained no JSON object")
    end = cleaned.rfind("}")
    candidate = cleaned[start : end + 1] if end > start else cleaned[start:]
    try:
        value = json.loads(candidate)
    except ValueError:
        value = repair_json(candidate, return_objects=True)
    if not isinstance(value, dict) or not value:
        raise OutputError("the answer was not a JSON object with the requested fields")
    return value
