"""The text of an uploaded document, extracted once: what its bytes are (``detect``), its text within the limits
(``extract``), or a ``SourceRejected`` whose code names what is wrong. Blocking and CPU-bound: run it in a thread.

The text is kept as extracted (offsets of evidence refer to it later): PDF pages joined by a blank line, Word
headings and lists written as Markdown so the offline engine sees the structure, a web page's main text by
trafilatura, Markdown, reStructuredText and plain text as decoded.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Literal

import docx
import lxml.html
import trafilatura
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree
from pypdf import PdfReader

from app.errors import AppError
from app.sources.models import SourceKind, SourceRejected

log = logging.getLogger(__name__)

MEDIA_TYPES: dict[SourceKind, str] = {
    SourceKind.PDF: "application/pdf",
    SourceKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    SourceKind.HTML: "text/html",
    SourceKind.MARKDOWN: "text/markdown",
    SourceKind.RST: "text/x-rst",
    SourceKind.TEXT: "text/plain",
}
SUPPORTED = "PDF, Word (.docx), HTML, Markdown, reStructuredText or plain text in UTF-8 or UTF-16"

# A Word file inflates to at most this many times its size (and never past the cap): beyond is a zip bomb.
MAX_INFLATION = 50
INFLATED_FLOOR = 16 * 1024 * 1024  # small files may inflate this far whatever their ratio
INFLATED_CAP = 200 * 1024 * 1024
# A PDF with fewer letters than this per page, and images on its pages, is a scan without a text layer.
SCAN_LETTERS_PER_PAGE = 20
_SNIFF = 4096  # bytes or characters looked at to tell a format


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


# --- what the bytes are --------------------------------------------------------------------------------------

Family = Literal["pdf", "docx", "text", "media"]


@dataclass(frozen=True, slots=True)
class _Claim:
    said: str  # for messages: "declared as application/pdf", "named *.pdf"
    value: str  # for details: "application/pdf", ".pdf"
    family: Family
    kind: SourceKind | None = None


@dataclass(frozen=True, slots=True)
class _Bytes:
    family: Family | None  # None: a format not supported
    label: str  # short, for details: "pdf", "zip", "png", "binary"
    phrase: str  # for messages: "a PDF", "a PNG image"
    text: str | None = None  # decoded, for text


_CLAIMED: dict[Family, str] = {
    "pdf": "a PDF",
    "docx": "a Word document",
    "text": "text",
    "media": "an image, audio or video file",
}
_FAMILY: dict[SourceKind, Family] = {SourceKind.PDF: "pdf", SourceKind.DOCX: "docx"}
_DECLARED: dict[str, SourceKind] = {
    **{media_type: kind for kind, media_type in MEDIA_TYPES.items()},
    "application/x-pdf": SourceKind.PDF,
    "application/xhtml+xml": SourceKind.HTML,
    "text/x-markdown": SourceKind.MARKDOWN,
    "text/prs.fallenstein.rst": SourceKind.RST,
}
_EXTENSIONS: dict[str, SourceKind] = {
    ".pdf": SourceKind.PDF,
    ".docx": SourceKind.DOCX,
    ".html": SourceKind.HTML,
    ".htm": SourceKind.HTML,
    ".xhtml": SourceKind.HTML,
    ".md": SourceKind.MARKDOWN,
    ".markdown": SourceKind.MARKDOWN,
    ".rst": SourceKind.RST,
    ".txt": SourceKind.TEXT,
    ".text": SourceKind.TEXT,
}
_MEDIA_PREFIXES = ("image/", "audio/", "video/", "font/", "model/")
_TOKEN = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,60}/[a-z0-9][a-z0-9!#$&^_.+-]{0,80}")
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png", "a PNG image"),
    (b"\xff\xd8\xff", "jpeg", "a JPEG image"),
    (b"GIF8", "gif", "a GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole", "a legacy Office file (.doc, .xls or .ppt)"),
    (b"\x1f\x8b", "gzip", "a gzip archive"),
    (b"{\\rtf", "rtf", "an RTF document"),
)
_BINARY = _Bytes(None, "binary", "binary data")
_UNDECODABLE = _Bytes(None, "unknown_encoding", "binary data or text in an encoding other than UTF-8 or UTF-16")
_HTML_TAG = re.compile(r"<(?:!doctype\s+html|html[\s>])", re.IGNORECASE)


def detect(data: bytes, *, filename: str | None, declared_type: str | None) -> tuple[SourceKind, str]:
    """The kind and media type of the bytes; ``SourceRejected`` when they are no supported format or contradict
    what the upload declared (``unsupported_type``, ``mislabelled_file``, ``corrupt_file``)."""
    kind, _ = _detect(data, filename, declared_type)
    return kind, MEDIA_TYPES[kind]


def _detect(data: bytes, filename: str | None, declared_type: str | None) -> tuple[SourceKind, str | None]:
    media_type, charset = _parse_type(declared_type)
    claims = [c for c in (_declared_claim(media_type), _name_claim(filename)) if c is not None]
    found = _sniff(data, charset)
    for claim in claims:
        if _contradicts(claim, found):
            raise SourceRejected(
                f"The file is {claim.said} but its bytes are {found.phrase}, not {_CLAIMED[claim.family]}.",
                code="mislabelled_file",
                declared=claim.value,
                detected=found.label,
            )
    if found.family is None:
        raise SourceRejected(
            f"The file is {found.phrase}; supported are {SUPPORTED}.",
            code="unsupported_type",
            detected=found.label,
            supported=[kind.value for kind in SourceKind],
        )
    if found.text is None:
        return (SourceKind.PDF if found.family == "pdf" else SourceKind.DOCX), None
    said = {claim.kind for claim in claims}
    if SourceKind.HTML in said or _starts_as_html(found.text):
        return SourceKind.HTML, found.text
    for kind in (SourceKind.MARKDOWN, SourceKind.RST):
        if kind in said:
            return kind, found.text
    return SourceKind.TEXT, found.text


def _starts_as_html(text: str) -> bool:
    """Whether the text opens with ``<!doctype html`` or ``<html``, after whitespace, comments and an XML
    declaration (skipped by a loop: a regular expression for them backtracks without end on unclosed ones)."""
    head = text[:_SNIFF].lstrip()
    while head.startswith(("<!--", "<?xml")):
        close = "-->" if head.startswith("<!--") else "?>"
        end = head.find(close)
        if end < 0:
            return False
        head = head[end + len(close) :].lstrip()
    return _HTML_TAG.match(head) is not None


def _contradicts(claim: _Claim, found: _Bytes) -> bool:
    if found.family is not None:
        return claim.family != found.family
    # Bytes of no supported format are refused as such (unsupported_type), unless the upload said they were a
    # supported format they are not: a ".pdf" of binary data. Text that is not UTF-8 is no mislabelled text file.
    return claim.family in ("pdf", "docx") or (claim.family == "text" and found is _BINARY)


def _parse_type(declared: str | None) -> tuple[str | None, str | None]:
    """``text/html; charset=ISO-8859-1`` -> ``("text/html", "iso-8859-1")``; a malformed type is no type."""
    if not declared:
        return None, None
    media_type, *params = (part.strip().lower() for part in declared.split(";"))
    charset = next((p.split("=", 1)[1].strip(" \"'") for p in params if p.startswith("charset=")), None)
    return (media_type if _TOKEN.fullmatch(media_type) else None), charset


def _declared_claim(media_type: str | None) -> _Claim | None:
    if media_type is None:
        return None
    said = f"declared as {media_type}"
    kind = _DECLARED.get(media_type)
    if kind is not None:
        return _Claim(said, media_type, _FAMILY.get(kind, "text"), kind)
    if media_type.startswith("text/"):
        return _Claim(said, media_type, "text")
    if media_type.startswith(_MEDIA_PREFIXES):
        return _Claim(said, media_type, "media")
    return None  # application/octet-stream, application/zip, …: the bytes tell


def _name_claim(filename: str | None) -> _Claim | None:
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    kind = _EXTENSIONS.get(suffix)
    return None if kind is None else _Claim(f"named *{suffix}", suffix, _FAMILY.get(kind, "text"), kind)


def _sniff(data: bytes, charset: str | None) -> _Bytes:
    if data[:_SNIFF].lstrip().startswith(b"%PDF-"):
        return _Bytes("pdf", "pdf", "a PDF")
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        with _unreadable("ZIP archive"):
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        if "word/document.xml" in names:
            return _Bytes("docx", "docx", "a Word document")
        return _Bytes(None, "zip", "a ZIP archive that is not a Word document (it holds no word/document.xml)")
    for magic, label, phrase in _MAGIC:
        if data.startswith(magic):
            return _Bytes(None, label, phrase)
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _BINARY
    text = _decode(data, charset)
    if text is None:
        return _UNDECODABLE
    if "\x00" in text:
        return _BINARY
    return _Bytes("text", "text", "text", text.replace("\r\n", "\n").replace("\r", "\n"))


_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset=[\"']?([\w.:-]{1,40})", re.IGNORECASE)


def _decode(data: bytes, charset: str | None) -> str | None:
    """The text in UTF-8 or UTF-16 by their BOM, else in UTF-8, else in the charset the upload declared or a web
    page's <meta> names (UTF-8 first: servers often declare ISO-8859-1 for pages in UTF-8); None if none fits."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]  # reads the BOM and drops it
    else:
        meta = _META_CHARSET.search(data[:_SNIFF])
        encodings = ["utf-8", *([charset] if charset else []), *([meta.group(1).decode()] if meta else [])]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):  # LookupError: a charset Python does not know
            continue
    return None


@contextmanager
def _unreadable(what: str) -> Iterator[None]:
    """A parser's failure on malformed bytes, as ``corrupt_file``."""
    try:
        yield
    except (AppError, MemoryError):
        raise
    except Exception as exc:
        # The one broad catch. pypdf and python-docx (through zipfile and lxml) raise far more than their own
        # error types on malformed input: fuzzing both gave KeyError, TypeError, AttributeError, ValueError,
        # NotImplementedError and lxml's XMLSyntaxError besides pypdf's PyPdfError. Only the libraries' calls run
        # here, and the short walk over a Word document's blocks (whose accessors parse as they are read).
        log.info("unreadable %s: %s", what, type(exc).__name__)  # not its message: it may quote the document
        message = f"The {what} could not be read: it is damaged or incomplete."
        raise SourceRejected(message, code="corrupt_file") from exc


# --- the text ------------------------------------------------------------------------------------------------


def extract(data: bytes, *, filename: str | None, declared_type: str | None, limits: ExtractLimits) -> Extracted:
    """The document's text and title, or ``SourceRejected`` naming why there is none to use."""
    kind, text = _detect(data, filename, declared_type)
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
    with _unreadable("PDF"):
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
    if encrypted:  # even one that opens with an empty password: its owner restricted it
        raise SourceRejected(
            "The PDF is encrypted (password-protected or restricted); remove the protection and upload it again.",
            code="encrypted_pdf",
        )
    with _unreadable("PDF"):
        pages = len(reader.pages)
        title = (reader.metadata.title if reader.metadata else None) or ""
    if pages == 0:
        raise SourceRejected("The PDF has no pages.", code="corrupt_file")
    if pages > limits.max_pages:
        raise SourceRejected(
            f"The PDF has {pages:,} pages; the limit is {limits.max_pages:,}.",
            code="too_many_pages",
            limit_pages=limits.max_pages,
            pages=pages,
        )
    text, starts = "", []
    for index in range(pages):
        with _unreadable("PDF"):
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
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\u00ad\n", "")
    text = _BLANK_LINES.sub("\n\n", _strip_lines(text))
    return _BROKEN_WORD.sub(_join_broken_word, text).strip()


def _strip_lines(text: str) -> str:
    """Trailing spaces dropped from every line (by ``rstrip``: the pattern ``[ \t]+$`` is quadratic on a long run
    of spaces that is not at a line's end)."""
    return "\n".join(line.rstrip(" \t\f\v") for line in text.split("\n"))


def _join_broken_word(match: re.Match[str]) -> str:
    word, after = match.group(1), match.string[match.end()]
    return word if word[-1].islower() and after.islower() else match.group(0)


def _has_images(reader: PdfReader) -> bool:
    with _unreadable("PDF"):
        return any(len(page.images) for page in reader.pages)


def _docx(data: bytes, limits: ExtractLimits) -> Extracted:
    with _unreadable("Word document"):
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
    with _unreadable("Word document"):
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
        return "item", f"{'  ' * int(level or 0)}- {text}" if text else ""
    return "paragraph", text


def _table_lines(table: Table) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for row in table.rows:
        seen: list[object] = []  # a merged cell comes back once per grid column it spans
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):
                continue
            seen.append(cell._tc)
            lines += [("cell", line.strip()) for line in cell.text.splitlines()]
    return lines


# --- web pages and markup ------------------------------------------------------------------------------------


def _html(html: str) -> tuple[str, str | None]:
    """The page's main text (Markdown, so headings stay) and its title; nothing is fetched."""
    with _unreadable("web page"):
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
