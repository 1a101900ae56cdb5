"""Reading exports back as the tools that import them would: Anki packages through SQLite, QTI packages with
lxml, Markdown with markdown-it-py, and GIFT with a small reference reader of the format
(https://docs.moodle.org/en/GIFT_format)."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from markdown_it import MarkdownIt

# --- Anki --------------------------------------------------------------------------------------------------


@dataclass
class AnkiPackage:
    notes: list[dict[str, Any]]  # id, guid, mid, mod, tags, fields (split on \x1f)
    cards: list[dict[str, Any]]  # id, nid, did
    decks: dict[str, Any]
    models: dict[str, Any]


def read_apkg(data: bytes, folder: Path) -> AnkiPackage:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["collection.anki2", "media"]
        assert json.loads(archive.read("media")) == {}
        path = folder / "collection.anki2"
        path.write_bytes(archive.read("collection.anki2"))
    connection = sqlite3.connect(path)
    try:
        notes = [
            {"id": i, "guid": g, "mid": m, "mod": mod, "tags": t.split(), "fields": f.split("\x1f")}
            for i, g, m, mod, t, f in connection.execute("SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id")
        ]
        cards = [
            {"id": i, "nid": n, "did": d}
            for i, n, d in connection.execute("SELECT id, nid, did FROM cards ORDER BY id")
        ]
        decks_json, models_json = connection.execute("SELECT decks, models FROM col").fetchone()
    finally:
        connection.close()
    path.unlink()
    return AnkiPackage(notes=notes, cards=cards, decks=json.loads(decks_json), models=json.loads(models_json))


# --- QTI ---------------------------------------------------------------------------------------------------

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
NS = {"qti": QTI, "cp": CP}


def read_qti(data: bytes) -> tuple[Any, dict[str, Any]]:
    """The manifest and each file it lists, parsed; every file of the package is listed (and no other)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        listed = manifest.xpath("cp:resources/cp:resource/cp:file/@href", namespaces=NS)
        assert sorted(listed) == sorted(names - {"imsmanifest.xml"})
        return manifest, {href: etree.fromstring(archive.read(href)) for href in listed}


# --- Markdown ----------------------------------------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark")


def markdown_tokens(text: str) -> list[Any]:
    return list(_MARKDOWN.parse(text))


def markdown_text(text: str) -> str:
    """The text a reader sees (every inline run, line breaks as spaces), spaces collapsed."""
    parts: list[str] = []
    for token in markdown_tokens(text):
        for child in token.children or []:
            if child.type in ("text", "code_inline", "html_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
        parts.append(" ")
    return " ".join("".join(parts).split())


# --- GIFT --------------------------------------------------------------------------------------------------


@dataclass
class GiftAnswer:
    correct: bool  # "=" (or a positive weight)
    weight: float | None  # "%50%"
    text: str
    feedback: str | None


@dataclass
class GiftQuestion:
    title: str | None
    text: str
    answers: list[GiftAnswer] = field(default_factory=list)
    general_feedback: str | None = None


Chars = list[tuple[str, bool]]  # each character of the source, and whether it was escaped


def _chars(source: str) -> Chars:
    out: Chars = []
    i = 0
    while i < len(source):
        if source[i] == "\\" and i + 1 < len(source):
            following = source[i + 1]
            out.append(("\n" if following == "n" else following, True))
            i += 2
        else:
            out.append((source[i], False))
            i += 1
    return out


def _text(chars: Chars) -> str:
    return "".join(c for c, _ in chars).strip()


def _find(chars: Chars, wanted: str, start: int = 0) -> int:
    """The position of an unescaped run of ``wanted`` at or after ``start``; -1 when there is none."""
    for i in range(start, len(chars) - len(wanted) + 1):
        if all(chars[i + k] == (ch, False) for k, ch in enumerate(wanted)):
            return i
    return -1


def _answers(chars: Chars) -> list[GiftAnswer]:
    starts = [i for i, (c, escaped) in enumerate(chars) if c in "=~" and not escaped]
    assert starts, "a multiple-choice question needs answers"
    assert not _text(chars[: starts[0]]), f"text before the first answer: {_text(chars[: starts[0]])!r}"
    answers = []
    for at, end in zip(starts, [*starts[1:], len(chars)], strict=True):
        marker, body = chars[at][0], chars[at + 1 : end]
        weight = None
        if body and body[0] == ("%", False):
            close = _find(body, "%", 1)
            weight = float(_text(body[1:close]))
            body = body[close + 1 :]
        hash_at = _find(body, "#")
        text, feedback = (body, None) if hash_at < 0 else (body[:hash_at], _text(body[hash_at + 1 :]))
        answers.append(GiftAnswer(marker == "=" or (weight or 0) > 0, weight, _text(text), feedback))
    return answers


def read_gift(source: str) -> list[GiftQuestion]:
    """Questions separated by blank lines; ``//`` lines are comments; braces must balance, once a question."""
    questions = []
    blocks: list[str] = []
    block: list[str] = []
    for line in [*source.split("\n"), ""]:
        if not line.strip():
            if block:
                blocks.append("\n".join(block))
            block = []
        elif not line.lstrip().startswith("//"):
            block.append(line)
    for text in blocks:
        chars = _chars(text)
        opens = [i for i, ch in enumerate(chars) if ch == ("{", False)]
        closes = [i for i, ch in enumerate(chars) if ch == ("}", False)]
        assert len(opens) == len(closes) == 1 and opens[0] < closes[0], f"unbalanced braces in {text!r}"
        head, inner = chars[: opens[0]], chars[opens[0] + 1 : closes[0]]
        assert not _text(chars[closes[0] + 1 :]), "text after the answers"
        title = None
        if _find(head, "::") == 0:
            end = _find(head, "::", 2)
            assert end > 0, "a title opened with :: must close with ::"
            title, head = _text(head[2:end]), head[end + 2 :]
        question_text = _text(head).removeprefix("[plain]")
        general = _find(inner, "####")
        feedback = None if general < 0 else _text(inner[general + 4 :])
        answers = _answers(inner if general < 0 else inner[:general])
        questions.append(GiftQuestion(title, question_text, answers, feedback))
    return questions


def check_choice(question: GiftQuestion) -> None:
    """One ``=`` answer and the rest ``~`` (single choice), or weights whose positive ones add up to 100."""
    weighted = [a for a in question.answers if a.weight is not None]
    if not weighted:
        assert sum(a.correct for a in question.answers) == 1, f"not one right answer: {question.text!r}"
    else:
        assert all(a.weight is not None for a in question.answers)
        assert sum(a.weight for a in question.answers if a.weight and a.weight > 0) == 100
