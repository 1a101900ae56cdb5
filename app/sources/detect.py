"""What an upload's bytes are: the format sniffed from them, checked against the declared media type and the
file name's extension, and text decoded (UTF-8, UTF-16, or a declared charset). ``extract`` builds on it.
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
from typing import Literal

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
_SNIFF = 4096  # bytes or characters looked at to tell a format


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
_CHARSET = re.compile(r"[a-z0-9][a-z0-9_.:+-]{0,59}")  # a name Python may know ("utf-8\x00" makes a ValueError)
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
    kind, _ = detect_and_decode(data, filename, declared_type)
    return kind, MEDIA_TYPES[kind]


def detect_and_decode(data: bytes, filename: str | None, declared_type: str | None) -> tuple[SourceKind, str | None]:
    """As ``detect``, with the text decoded for a text format (None for a PDF or Word document)."""
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
    """``text/html; charset=ISO-8859-1`` -> ``("text/html", "iso-8859-1")``; a malformed type is no type, a
    malformed charset no charset."""
    if not declared:
        return None, None
    media_type, *params = (part.strip().lower() for part in declared.split(";"))
    charset = next((p.split("=", 1)[1].strip(" \"'") for p in params if p.startswith("charset=")), None)
    return (media_type if _TOKEN.fullmatch(media_type) else None), (
        charset if charset and _CHARSET.fullmatch(charset) else None
    )


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
        with unreadable("ZIP archive"):
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
    page's <meta> names (UTF-8 first: servers often declare ISO-8859-1 for pages in UTF-8); None if none fits. A
    charset Python does not know is passed over, as if none were named."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]  # reads the BOM and drops it
    else:
        meta = _META_CHARSET.search(data[:_SNIFF])
        encodings = ["utf-8", *([charset] if charset else []), *([meta.group(1).decode()] if meta else [])]
    for encoding in encodings:
        # LookupError: a charset Python does not know, or a codec not for text ("base64"). UnicodeError: bytes not
        # in the charset, or the codec "undefined", which takes none.
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeError):
            continue
        return valid_unicode(text)
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """``text`` with UTF-16 surrogates, which no UTF-8 can hold, paired into their character or replaced by U+FFFD
    when alone. Some codecs ("raw_unicode_escape", "utf-7") decode bytes to lone surrogates, and so does pypdf."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


@contextmanager
def unreadable(what: str) -> Iterator[None]:
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
