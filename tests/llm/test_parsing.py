"""What the tolerant parser accepts, and what it refuses with a reason a re-ask can show."""

from __future__ import annotations

import pytest

from app.llm.parsing import OutputError, parse_object


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1}',
        '```json\n{"a": 1}\n```',
        'Here you go:\n```\n{"a": 1}\n```\nAnything else?',
        'Sure! {"a": 1} Hope this helps.',
        '<think>Let me plan {not json}</think>\n{"a": 1}',
        "{'a': 1}",
        '{"a": 1,}',
    ],
)
def test_recovers_the_object(text: str) -> None:
    assert parse_object(text) == {"a": 1}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("no json here", "no JSON object"),
        ("[1, 2]", "no JSON object"),
        ("{}", "not a JSON object"),
    ],
)
def test_refuses_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(OutputError, match=reason):
        parse_object(text)
