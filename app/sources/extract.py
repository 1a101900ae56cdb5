"""The text of an uploaded document, extracted once: its text within the limits (``extract``), or a
``SourceRejected`` whose code names what is wrong; what its bytes are (``detect``) is told in ``detect.py``.
Blocking and CPU-bound: run it in a thread.

The text is kept as extracted (offsets of evidence refer to it later): PDF pages joined by a blank line, Word
headings and lists written as Markdown so the offline engine sees the structure, a web page's main text by
trafilatura, Markdown, reStructuredText and plain text as decoded.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import docx
import lxml.html
import trafilatura
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, PdfObject, StreamObject

from app.sources.detect import MEDIA_TYPES, detect, detect_and_decode, unreadable, valid_unicode
from app.sources.models import SourceKind, SourceRejected

# ``detect`` lives in detect.py; named here too so importers of this module keep it.
__all__ = ["ExtractLimits", "Extracted", "detect", "extract"]

# A Word file inflates to at most this many times its size (and never past the cap): beyond is a zip bomb.
MAX_INFLATION = 50
INFLATED_FLOOR = 16 * 1024 * 1024  # small files may inflate this far whatever their ratio
INFLATED_CAP = 200 * 1024 * 1024
# A PDF with fewer letters than this per page, and images on its pages, is a scan without a text layer.
SCAN_LETTERS_PER_PAGE = 20
# Text extraction interprets every operator of a page's content and of the forms it draws, slowly (pure Python),
# and one small compressed stream may be drawn by every page, or many times by one: the decoded bytes to interpret,
# counted at each use, are capped for a page and for the document.
MAX_PAGE_CONTENT_BYTES = 16 * 1024 * 1024
MAX_PDF_CONTENT_BYTES = 64 * 1024 * 1024
# Word numbers list levels 0 to 8; a larger w:ilvl would only indent (by a string as long as it says).
MAX_LIST_LEVEL = 8


@dataclass(frozen=True, slots=True)
class ExtractLimits:
    max_pages: int
    max_characters: int


@dataclass(frozen=True, slots=True)
class Extracted:
    kind: SourceKind
    media_type: str  # of the original, as detected
    text: str
    title: str | None
    page_starts: tuple[int, ...] = ()  # PDFs: where each page's text starts in ``text``, one per page


# --- the text ------------------------------------------------------------------------------------------------


def extract(data: bytes, *, filename: str | None, declared_type: str | None, limits: ExtractLimits) -> Extracted:
    """The document's text and title, or ``SourceRejected`` naming why there is none to use."""
    kind, text = detect_and_decode(data, filename, declared_type)
    if kind is SourceKind.PDF:
        extracted = _pdf(data, limits)
    elif kind is SourceKind.DOCX:
        extracted = _docx(data, limits)
    else:
        assert text is not None
        if kind is SourceKind.HTML:
            text, title = _html(text)  # the page's markup does not count, only its text
        else:
            title = _TITLES[kind](text) if kind in _TITLES else None
        _check_length(len(text), limits)
        extracted = Extracted(kind, MEDIA_TYPES[kind], text, title)
    if not extracted.text.strip():
        raise SourceRejected("The file holds no text.", code="empty_source")
    return extracted


def _check_length(characters: int, limits: ExtractLimits) -> None:
    """Called as the text grows, so a long document is refused without reading it all: ``characters`` is then
    the count when extraction stopped."""
    if characters > limits.max_characters:
        raise SourceRejected(
            f"The file holds more than {limits.max_characters:,} characters of text, the limit.",
            code="too_much_text",
            limit_characters=limits.max_characters,
            characters=characters,
        )


def _pdf(data: bytes, limits: ExtractLimits) -> Extracted:
    with unreadable("PDF"):
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    if encrypted:  # even one that opens with an empty password: its owner restricted it
        raise SourceRejected(
            "The PDF is encrypted (password-protected or restricted); remove the protection and upload it again.",
            code="encrypted_pdf",
        )
    with unreadable("PDF"):
        pages = len(reader.pages)
        title = reader.metadata.title if reader.metadata else None
    title = valid_unicode(title) if isinstance(title, str) else ""  # pypdf passes on a /Title of 42 or [1] as is
    if pages == 0:
        raise SourceRejected("The PDF has no pages.", code="corrupt_file")
    if pages > limits.max_pages:
        raise SourceRejected(
            f"The PDF has {pages:,} pages; the limit is {limits.max_pages:,}.",
            code="too_many_pages",
            limit_pages=limits.max_pages,
            pages=pages,
        )
    with unreadable("PDF"):
        _check_content(reader)
    text, starts = "", []
    for index in range(pages):
        with unreadable("PDF"):
            page_text = _tidy_pdf_text(reader.pages[index].extract_text())
        if text and page_text:
            text += "\n\n"
        starts.append(len(text))  # an empty page starts where the next one does
        text += page_text
        _check_length(len(text), limits)
    if sum(c.isalnum() for c in text) < SCAN_LETTERS_PER_PAGE * pages and _has_images(reader):
        raise SourceRejected(
            "The PDF's pages are images with (almost) no text layer: it looks scanned. Text recognition (OCR) is "
            "not offered; upload a PDF with selectable text.",
            code="no_text_layer",
            pages=pages,
        )
    return Extracted(SourceKind.PDF, MEDIA_TYPES[SourceKind.PDF], text, title.strip() or None, tuple(starts))


_BLANK_LINES = re.compile(r"\n{3,}")
# A word broken at a line's end: lowercase letters either side, the part before not itself after a hyphen
# ("state-of-\nthe-art" keeps its hyphens).
_BROKEN_WORD = re.compile(r"(?<![\w-])([^\W\d_]{2,})-\n[ \t]*(?=[^\W\d_])")


def _tidy_pdf_text(raw: str) -> str:
    # Valid Unicode: pypdf maps character codes through a font's ToUnicode table as given, lone surrogates too.
    text = valid_unicode(raw).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\u00ad\n", "")
    text = _BLANK_LINES.sub("\n\n", _strip_lines(text))
    return _BROKEN_WORD.sub(_join_broken_word, text).strip()


def _strip_lines(text: str) -> str:
    """Trailing spaces dropped from every line (by ``rstrip``: the pattern ``[ \t]+$`` is quadratic on a long run
    of spaces that is not at a line's end)."""
    return "\n".join(line.rstrip(" \t\f\v") for line in text.split("\n"))


def _join_broken_word(match: re.Match[str]) -> str:
    word, after = match.group(1), match.string[match.end()]
    return word if word[-1].islower() and after.islower() else match.group(0)


def _check_content(reader: PdfReader) -> None:
    """Refuses (``too_complex``) a PDF whose pages hold more content to interpret than allowed, before any is
    interpreted. A stream counts each time it is used: once for every page that shares it, and for every ``Do``
    that draws it as a form."""
    costs: dict[tuple[int, int], int] = {}
    total = 0
    for number, page in enumerate(reader.pages, start=1):
        resources = _resources(page)
        cost = sum(_content_cost(stream, resources, costs, frozenset()) for stream in _page_streams(page))
        if cost > MAX_PAGE_CONTENT_BYTES:
            raise SourceRejected(
                f"Page {number} of the PDF holds {cost:,} bytes of drawing instructions, more than the "
                f"{MAX_PAGE_CONTENT_BYTES:,} allowed for a page.",
                code="too_complex",
                limit_bytes=MAX_PAGE_CONTENT_BYTES,
                content_bytes=cost,
                page=number,
            )
        total += cost
        if total > MAX_PDF_CONTENT_BYTES:
            raise SourceRejected(
                f"The PDF's pages hold more than {MAX_PDF_CONTENT_BYTES:,} bytes of drawing instructions, the limit.",
                code="too_complex",
                limit_bytes=MAX_PDF_CONTENT_BYTES,
                content_bytes=total,
            )


# ``/Name Do``: the content draws the XObject of that name from its resources.
_DRAWS = re.compile(rb"/([^\x00\s()<>\[\]{}/%]+)\s*Do(?![^\x00\s()<>\[\]{}/%])")


def _content_cost(
    stream: StreamObject, resources: DictionaryObject | None, costs: dict[tuple[int, int], int], drawing: frozenset[int]
) -> int:
    """The decoded bytes of ``stream`` and of the forms it draws, each stream decoded and scanned once (``costs``).
    Like pypdf, a form is read only if it has resources, and one drawing itself (in ``drawing``) is skipped."""
    key = (id(stream), id(resources))  # the reader keeps every object it resolved: no id is reused meanwhile
    if key not in costs:
        data = stream.get_data()
        cost = len(data)
        forms = _resolved(resources.get("/XObject")) if resources is not None else None
        if isinstance(forms, DictionaryObject):
            inside = drawing | {id(stream)}
            for name in _DRAWS.findall(data):
                form = _resolved(forms.get("/" + NameObject.unnumber(name).decode("utf-8", "replace")))
                if not isinstance(form, StreamObject) or id(form) in inside:
                    continue
                if _resolved(form.get("/Subtype")) != "/Image":  # pypdf reads any other XObject as a form
                    cost += _content_cost(form, _resources(form), costs, inside)
        costs[key] = cost
    return costs[key]


def _page_streams(page: DictionaryObject) -> list[StreamObject]:
    contents = _resolved(page.get("/Contents"))
    listed = contents if isinstance(contents, ArrayObject) else [contents]
    return [stream for stream in map(_resolved, listed) if isinstance(stream, StreamObject)]


def _resources(obj: DictionaryObject) -> DictionaryObject | None:
    """The /Resources of a page or form, inherited as pypdf does; None when empty (pypdf then reads nothing)."""
    found = _resolved(obj.get_inherited("/Resources"))
    return found if isinstance(found, DictionaryObject) and found else None


def _resolved(value: object) -> object:
    return value.get_object() if isinstance(value, PdfObject) else value


def _has_images(reader: PdfReader) -> bool:
    with unreadable("PDF"):
        return any(len(page.images) for page in reader.pages)


def _docx(data: bytes, limits: ExtractLimits) -> Extracted:
    with unreadable("Word document"):
        inflated = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    cap = min(INFLATED_CAP, max(INFLATED_FLOOR, MAX_INFLATION * len(data)))
    if inflated > cap:  # checked before python-docx reads every part into memory
        raise SourceRejected(
            f"The Word document inflates to {inflated:,} bytes, more than the {cap:,} allowed for its size.",
            code="too_large",
            limit_bytes=cap,
            inflated_bytes=inflated,
        )
    blocks: list[tuple[str, str]] = []  # (kind, text): "heading", "paragraph", "item" or "cell"
    characters = 0
    with unreadable("Word document"):
        document = docx.Document(io.BytesIO(data))
        title = (document.core_properties.title or "").strip()
        for block in document.iter_inner_content():
            rendered = _table_lines(block) if isinstance(block, Table) else [_paragraph(block)]
            for kind, line in rendered:
                if line:
                    blocks.append((kind, line))
                    characters += len(line) + 2
            _check_length(characters, limits)
    title = title or next((line.split(" ", 1)[1] for kind, line in blocks if kind == "heading"), "")
    pieces: list[str] = []
    for index, (kind, line) in enumerate(blocks):
        if index:
            pieces.append("\n" if kind == blocks[index - 1][0] and kind in ("item", "cell") else "\n\n")
        pieces.append(line)
    return Extracted(SourceKind.DOCX, MEDIA_TYPES[SourceKind.DOCX], "".join(pieces), title or None)


_HEADING_STYLE = re.compile(r"Heading ([1-6])")


def _paragraph(paragraph: Paragraph) -> tuple[str, str]:
    text = paragraph.text.strip()
    style = (paragraph.style.name if paragraph.style is not None else None) or ""
    heading = _HEADING_STYLE.fullmatch(style)
    if heading or style == "Title":
        marks = "#" * int(heading.group(1)) if heading else "#"
        return "heading", f"{marks} {text}" if text else ""
    numbered = bool(paragraph._p.xpath("./w:pPr/w:numPr"))  # in a list by its own numbering, not its style's
    if numbered or style.startswith(("List Bullet", "List Number")):
        level = paragraph._p.xpath("string(./w:pPr/w:numPr/w:ilvl/@w:val)")
        return "item", f"{'  ' * min(int(level or 0), MAX_LIST_LEVEL)}- {text}" if text else ""
    return "paragraph", text


def _table_lines(table: Table) -> list[tuple[str, str]]:
    """Each cell's lines, row by row, a merged cell's once. The row's ``w:tc`` elements are read, not
    ``row.cells``: that gives a cell once for every grid column it spans (a ``gridSpan`` of millions is a few
    bytes) and a vertically merged cell again in every row it covers."""
    lines: list[tuple[str, str]] = []
    for row in table.rows:
        for tc in row._tr.tc_lst:
            if tc.vMerge not in (None, "restart"):  # "continue": the cell above goes on down here
                continue
            lines += [("cell", line.strip()) for line in _Cell(tc, table).text.splitlines()]
    return lines


# --- web pages and markup ------------------------------------------------------------------------------------


def _html(html: str) -> tuple[str, str | None]:
    """The page's main text (Markdown, so headings stay) and its title; nothing is fetched."""
    with unreadable("web page"):
        try:
            root = lxml.html.document_fromstring(html.encode(), parser=lxml.html.HTMLParser(encoding="utf-8"))
        except etree.ParserError:  # "Document is empty": nothing but whitespace or comments
            return "", None
        title = " ".join(root.findtext("./head/title", "").split())
        title = title or " ".join(root.xpath('string(//meta[@property="og:title"]/@content)').split())
        # Given the parsed tree (which it copies), trafilatura takes a fragment too: given the string, it logs an
        # error for one. Navigation is pruned first: on a page whose content it cannot place (a bare list, say)
        # it would otherwise return the text of the menu's links.
        main = trafilatura.extract(
            root,
            output_format="markdown",  # "txt" loses the headings and paragraph breaks
            include_comments=False,
            include_tables=True,
            favor_precision=True,
            prune_xpath="//nav",
        )
        text = (main or "").strip() or _body_text(root)
    return _strip_lines(text.replace("\r\n", "\n").replace("\r", "\n")), title or None


_DROPPED = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg", "iframe")
_HEADINGS = {f"h{level}": "#" * level + " " for level in range(1, 7)}
_BLOCK_TAGS = {
    *("address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure", "hr", "li"),
    *("main", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul", *_HEADINGS),
}


def _body_text(root: Any) -> str:
    """The text of <body> without scripts, styles and navigation: for a page too small for trafilatura."""
    body = root.find("body")
    body = root if body is None else body
    for element in body.xpath(" | ".join(f".//{tag}" for tag in _DROPPED)):
        element.drop_tree()
    blocks: list[list[str]] = [[]]
    for event, element in etree.iterwalk(body, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else None  # comments have a function for a tag
        if tag in _BLOCK_TAGS:
            blocks.append([])
        if event == "start" and tag is not None:
            blocks[-1] += [_HEADINGS.get(tag, ""), element.text or ""]
        elif event == "end" and element is not body:
            blocks[-1].append(element.tail or "")
    lines = (" ".join("".join(parts).split()) for parts in blocks)
    return "\n\n".join(line for line in lines if line.strip("# "))


_FENCE = re.compile(r" {0,3}(```|~~~)")
_ATX_TITLE = re.compile(r" {0,3}# +(\S.*)")
_ADORNMENT = re.compile(r"([!-/:-@\[-`{-~])\1{2,} *")


def _markdown_title(text: str) -> str | None:
    """The first ``# `` heading outside code fences."""
    fenced = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := _ATX_TITLE.fullmatch(line)):
            title = match.group(1).rstrip()
            unclosed = title.rstrip("#")  # "# Title ##": a closing sequence goes (by rstrip: no backtracking)
            if unclosed != title and (not unclosed or unclosed.endswith(" ")):
                title = unclosed.rstrip()
            return title or None
    return None


def _rst_title(text: str) -> str | None:
    """The first section title: a line underlined (and maybe overlined) with punctuation at least as long."""
    lines = text.split("\n")
    for index, line in enumerate(lines[:-1]):
        title, under = line.strip(), lines[index + 1].rstrip()
        if title and not _ADORNMENT.fullmatch(line) and _ADORNMENT.fullmatch(under) and len(under) >= len(title):
            return title
    return None


_TITLES = {SourceKind.MARKDOWN: _markdown_title, SourceKind.RST: _rst_title}
