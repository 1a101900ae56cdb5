"""A source text read for its structure before any sentence is taken from it.

Markdown is parsed with ``markdown-it-py`` (CommonMark, with tables), reStructuredText with ``docutils``, anything
else as plain text: paragraphs set apart by blank lines, short lines set apart as headings, bullets as list
items. What comes out is a list of ``Block``: headings, paragraphs and list items, in plain text. Code blocks,
tables, comments, raw HTML, footnote definitions and directives the text does not explain are dropped, and
inline markup is reduced to its words (emphasis markers, link targets, footnote references go), so no markup
reaches a sentence, a card or a podcast line. Inline code is marked (``CODE_OPEN``), and the sentences that
hold it are left out: what they say cannot be quoted without the code.

Which reader a text gets is decided by what it contains (``source_format``): reStructuredText's directives,
roles and section underlines; Markdown's headings, fences, emphasis, links, lists and tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from docutils import nodes
from docutils.core import publish_doctree
from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.extractive.stopwords import FUNCTION_WORDS

Kind = Literal["heading", "paragraph", "item"]
Format = Literal["markdown", "rst", "plain"]


@dataclass(frozen=True, slots=True)
class Block:
    kind: Kind
    text: str


# --- which reader ---------------------------------------------------------------------------------------------

# Constructs only reStructuredText has: directives, targets, footnote definitions, roles, inline literals.
_RST_ONLY = re.compile(
    r"^\.\. [\w-]{1,40}::|^\.\. _[^:\n]{1,200}:|^\.\. \[[#\w]{0,40}\]|:[\w-]{1,40}:`[^`\n]{1,200}`|``[^`\n]{1,200}``",
    re.MULTILINE,
)
_UNDERLINE = re.compile(r"^([=\-~^\"'+#*:.])\1{2,}\s*$")
# Every repetition is bounded, so that a text of brackets or asterisks costs a scan, not a quadratic search.
_MARKDOWN_SIGNS = re.compile(
    r"^#{1,6} \S|^```|\*\*\S[^*\n]{0,200}\*\*|__\S[^_\n]{0,200}__|\[[^\]\n]{1,200}\]\([^)\s]{1,500}\)|"
    r"^\|[^\n]{0,500}\|\s*$|^ {0,3}[-*+] \S|^> \S|(?<!`)`[^`\n]{1,200}`(?!`)|\[\^[^\]\s]{1,40}\]",
    flags=re.MULTILINE,
)
_SCAN_CHARS = 50_000  # enough of a text to tell its format


def source_format(text: str) -> Format:
    """The reader a text needs: reStructuredText when it shows a construct only reStructuredText has, or
    section titles underlined with characters Markdown does not use for them; Markdown when it shows
    Markdown's headings, fences, emphasis, links, lists, tables or code spans (a title underlined with "=" or
    "-" is a Markdown heading too); else plain text."""
    head = text[:_SCAN_CHARS]
    if _RST_ONLY.search(head):
        return "rst"
    underlined = _underlined(head)
    if underlined - {"=", "-"}:
        return "rst"
    if _MARKDOWN_SIGNS.search(head) or underlined:
        return "markdown"
    return "plain"


def _underlined(text: str) -> set[str]:
    """The characters that underline a title: a line of one repeated mark as long as the text line above it."""
    found: set[str] = set()
    previous = ""
    for line in text.split("\n"):
        mark = _UNDERLINE.match(line)
        title = previous.strip()
        if mark and title[:1].isalnum() and not _UNDERLINE.match(previous) and len(line.rstrip()) >= len(title):
            found.add(mark.group(1))
        previous = line
    return found


def blocks(text: str) -> list[Block]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ").replace("\u00a0", " ")
    reader = source_format(text)
    if reader == "rst":
        found = _rst_blocks(text)
    elif reader == "markdown":
        found = _markdown_blocks(text)
    else:
        found = _plain_blocks(text)
    return [Block(b.kind, cleaned) for b in found if (cleaned := clean_inline(b.text))]


# Footnote and citation markers as texts copy them in: "[12]", "[citation needed]", "[^1]", "[#]_". Removed from
# prose only: code spans keep their brackets ("items[1]").
_MARKERS = re.compile(r"\[(?:\d{1,4}|\^[^\]\s]{1,20}|#[\w-]*|citation needed|clarification needed)\]_?")
_SPACE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?)])")


# Code inside a sentence ("call `session.close()`") is marked so that the sentence can be told apart after the
# split: no artifact quotes code, and a sentence that needs it to make sense is not quoted either.
CODE_OPEN, CODE_CLOSE = "\ue000", "\ue001"


def code_span(code: str) -> str:
    return f"{CODE_OPEN}{code}{CODE_CLOSE}"


def without_markers(prose: str) -> str:
    return _MARKERS.sub("", prose)


def clean_inline(text: str) -> str:
    """Spaces made single, and none before punctuation (where a removed marker left one)."""
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", _SPACE.sub(" ", text)).strip()


# --- Markdown -------------------------------------------------------------------------------------------------

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_SKIPPED_MARKDOWN = frozenset({"fence", "code_block", "html_block", "hr"})
_FOOTNOTE_DEFINITION = re.compile(r"^\[\^[^\]]+\]:")


_PLAIN_BULLET = re.compile(r"^([ \t]*)[•‣◦▪]\s+", flags=re.MULTILINE)


def _markdown_blocks(text: str) -> list[Block]:
    text = _PLAIN_BULLET.sub(r"\1- ", text)  # bullets typed as characters are list items too
    out: list[Block] = []
    in_table = 0
    in_item = 0
    pending: Kind | None = None
    for token in _MARKDOWN.parse(text):
        kind = token.type
        if kind == "table_open":
            in_table += 1
        elif kind == "table_close":
            in_table -= 1
        elif in_table or kind in _SKIPPED_MARKDOWN:
            continue
        elif kind == "list_item_open":
            in_item += 1
        elif kind == "list_item_close":
            in_item -= 1
        elif kind == "heading_open":
            pending = "heading"
        elif kind == "paragraph_open":
            pending = "item" if in_item else "paragraph"
        elif kind == "inline" and pending is not None:
            words = _inline_text(token.children or [])
            if pending == "paragraph" and "\n" not in token.content and _heading(words, alone=True, next_line=None):
                pending = "heading"  # a short line set apart, as plain text writes a heading
            if not (pending != "heading" and _FOOTNOTE_DEFINITION.match(token.content)):
                out.append(Block(pending, words))
            pending = None
    return out


def _inline_text(children: list[Token]) -> str:
    parts: list[str] = []
    for child in children:  # an image is one token: its description is not prose
        if child.type == "text":
            parts.append(without_markers(child.content))
        elif child.type == "code_inline":
            parts.append(code_span(child.content))
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


# --- reStructuredText -----------------------------------------------------------------------------------------

_DOCUTILS = {
    "report_level": 5,  # no system messages in the tree's text
    "halt_level": 5,  # nothing stops the parse
    "warning_stream": False,
    "file_insertion_enabled": False,  # a source never reads files or URLs ("include", "raw :file:")
    "raw_enabled": False,
    "syntax_highlight": "none",
    "doctitle_xform": True,
    "input_encoding": "unicode",
    "traceback": True,
}
_SKIPPED_RST = (
    nodes.literal_block,
    nodes.doctest_block,
    nodes.table,
    nodes.comment,
    nodes.footnote,
    nodes.citation,
    nodes.system_message,
    nodes.raw,
    nodes.target,
    nodes.substitution_definition,
    nodes.image,
    nodes.label,
)
_DROPPED_INLINE = (nodes.footnote_reference, nodes.citation_reference, nodes.target, nodes.image)
_ROLE = re.compile(r"^:[\w:-]+:`(?:[^`<]*<)?([^`>]+)>?`$")


def _rst_blocks(text: str) -> list[Block]:
    """The text as docutils reads it; as plain text when docutils cannot (nesting too deep for its recursion,
    or any other failure of the parser), so that no source makes the engine fail."""
    try:
        document = publish_doctree(text, settings_overrides=_DOCUTILS)
        out: list[Block] = []
        _walk(document, out, in_item=False)
    except Exception:  # RecursionError included
        return _plain_blocks(text)
    return out


def _walk(node: nodes.Node, out: list[Block], *, in_item: bool) -> None:
    for child in node.children:
        if isinstance(child, _SKIPPED_RST):
            continue
        if isinstance(child, nodes.title):
            out.append(Block("heading", _rst_text(child)))
        elif isinstance(child, (nodes.paragraph, nodes.line)):
            out.append(Block("item" if in_item else "paragraph", _rst_text(child)))
        elif isinstance(child, nodes.term):  # a definition list's term reads as a heading of its definition
            out.append(Block("heading", _rst_text(child)))
        elif isinstance(child, nodes.Element):
            _walk(child, out, in_item=in_item or isinstance(child, nodes.list_item))


def _rst_text(node: nodes.Element) -> str:
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, _DROPPED_INLINE):
            continue
        if isinstance(child, nodes.problematic):  # a role docutils does not know (Sphinx's :func:): its words
            role = _ROLE.match(child.astext())
            parts.append(code_span(role.group(1)) if role else "")
        elif isinstance(child, nodes.literal):
            parts.append(code_span(child.astext()))
        elif isinstance(child, nodes.Text):
            parts.append(without_markers(str(child)))
        elif isinstance(child, nodes.Element):
            parts.append(_rst_text(child))
    return " ".join("".join(parts).split("\n"))


# --- plain text -----------------------------------------------------------------------------------------------

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_BULLET = re.compile(r"^(?:[-*•‣◦▪–—+]|\(?\d{1,3}[.)]|\(?[a-zA-Z][)])\s+")
_HASH_HEADING = re.compile(r"^#{1,6}\s+")
_TERMINAL = tuple(".!?,;:\"'”’)]…")


def _plain_blocks(text: str) -> list[Block]:
    out: list[Block] = []
    for block in _PARAGRAPH_BREAK.split(text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        items: list[str] = []
        listed = False
        for position, line in enumerate(lines):
            following = lines[1] if position == 0 and len(lines) > 1 else None
            heading = _heading(line, alone=len(lines) == 1, next_line=following)
            if heading is not None and (position == 0 or line.startswith("#")):
                out.append(Block("heading", heading))
                continue
            bullet = _BULLET.match(line)
            if bullet or not items:
                listed = listed or bool(bullet)
                items.append(_BULLET.sub("", line, count=1))
            else:
                items[-1] = f"{items[-1]} {line}"
        out.extend(Block("item" if listed else "paragraph", without_markers(item)) for item in items)
    return out


def _heading(line: str, *, alone: bool, next_line: str | None) -> str | None:
    """The heading a line holds: a '#' line, or a short unpunctuated line set apart or written in title case."""
    if _HASH_HEADING.match(line):
        return _HASH_HEADING.sub("", line).strip().rstrip(":").strip() or None
    if _BULLET.match(line) or line.endswith(_TERMINAL) or len(line) > 120:
        return None
    tokens = line.split()
    if not 1 <= len(tokens) <= 12 or not (line[0].isupper() or line[0].isdigit()):
        return None
    if alone:
        return line
    title_cased = all(t[0].isupper() or t.lower() in FUNCTION_WORDS for t in tokens if t[0].isalpha())
    if next_line is not None and title_cased and len(tokens) <= 8 and next_line[:1].isupper():
        return line
    return None
