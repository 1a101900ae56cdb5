"""Extracting an upload's text: each format's text and title, and each way of refusing one with its code."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from pypdf.generic import ArrayObject, NumberObject, PdfObject

from app.sources.extract import (
    MAX_PAGE_CONTENT_BYTES,
    MAX_PDF_CONTENT_BYTES,
    Extracted,
    ExtractLimits,
    detect,
    extract,
)
from app.sources.models import SourceKind, SourceRejected
from tests.fixtures import documents

LIMITS = ExtractLimits(max_pages=50, max_characters=200_000)

PAGES = [
    "Photosynthesis turns light into chemical energy. " * 8,
    "Chlorophyll absorbs red and blue light most strongly.",
    "The Calvin cycle fixes carbon dioxide in the stroma.",
]


def run(
    data: bytes, *, filename: str | None = None, declared_type: str | None = None, limits: ExtractLimits = LIMITS
) -> Extracted:
    return extract(data, filename=filename, declared_type=declared_type, limits=limits)


def refused(data: bytes, code: str, **kwargs: Any) -> SourceRejected:
    with pytest.raises(SourceRejected) as caught:
        run(data, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert caught.value.details["field"] == "file"
    return caught.value


# --- PDF ----------------------------------------------------------------------------------------------------


def test_a_pdf_gives_each_page_and_where_it_starts() -> None:
    got = run(documents.pdf(PAGES, title="Plant energy"), filename="plants.pdf", declared_type="application/pdf")

    assert (got.kind, got.media_type, got.title) == (SourceKind.PDF, "application/pdf", "Plant energy")
    assert len(got.page_starts) == 3
    for start, page in zip(got.page_starts, PAGES, strict=True):
        assert got.text[start:].startswith(" ".join(page.split()[:4]))
    assert "Chlorophyll absorbs red and blue light" in got.text
    assert got.text.count("Photosynthesis turns light") == 8  # wrapped lines keep every word
    assert "\n\n\n" not in got.text and not got.text.endswith((" ", "\n"))


def test_an_empty_page_still_has_a_start() -> None:
    got = run(documents.pdf(["First page.", "", "Third page."]))

    assert len(got.page_starts) == 3
    assert got.text[got.page_starts[2] :].startswith("Third page.")
    assert got.page_starts[0] <= got.page_starts[1] <= got.page_starts[2]
    assert "\n\n\n" not in got.text


def test_a_pdf_without_a_title_has_none() -> None:
    assert run(documents.pdf(["Some words on a page."])).title is None


def test_words_broken_at_a_line_end_are_joined_but_compounds_keep_their_hyphens() -> None:
    got = run(documents.pdf(["Trade became inter-\nnational. A state-of-\nthe-art mill. Well-known, 1990-\n2000."]))

    assert "became international." in got.text
    assert "state-of-\nthe-art" in got.text
    assert "Well-known" in got.text and "1990-\n2000" in got.text


@pytest.mark.parametrize("title", [NumberObject(42), ArrayObject([NumberObject(1)])], ids=["number", "array"])
def test_a_pdf_title_that_is_no_string_is_no_title(title: PdfObject) -> None:
    got = run(documents.pdf_with_raw_title(title))
    assert (got.title, got.text) == (None, "Some words on a page.")


def test_a_pdf_font_mapping_to_a_lone_surrogate_gives_a_replacement_character() -> None:
    got = run(documents.lone_surrogate_pdf())

    assert got.text == "\ufffdB\ufffdB"
    assert got.text.encode("utf-8")  # stored as UTF-8


# --- Word ---------------------------------------------------------------------------------------------------


def test_a_word_document_keeps_its_headings_lists_and_tables() -> None:
    got = run(documents.docx(title="Plants and light"), filename="plants.docx")

    assert (got.kind, got.title) == (SourceKind.DOCX, "Plants and light")
    assert got.media_type == documents.DOCX_TYPE
    lines = got.text.split("\n")
    assert lines[0] == "# Photosynthesis"
    assert "## The light reactions" in lines
    assert "- chlorophyll absorbs light" in lines and "- water is split" in lines
    assert {"Stage", "Place", "Calvin cycle", "stroma"} <= set(lines)
    assert "Plants turn light into chemical energy." in lines
    assert "\n\n\n" not in got.text and got.page_starts == ()


def test_a_word_document_without_a_title_is_named_by_its_first_heading() -> None:
    assert run(documents.docx(heading="Cell biology")).title == "Cell biology"


@pytest.mark.timeout(10)  # python-docx's row.cells gives the cell once for each of the 40 million columns
def test_a_cell_spanning_millions_of_columns_is_read_once_and_a_merged_cell_once() -> None:
    got = run(documents.gridspan_bomb_docx(), filename="wide.docx")
    assert got.text == "Before the table.\n\nWide cell\nMerged down"


def test_a_list_item_deeper_than_word_goes_is_indented_as_its_deepest_level() -> None:
    assert run(documents.deep_list_docx(level=1000)).text == " " * 16 + "- Deep item"


def test_a_damaged_word_document_is_corrupt() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document>not closed")
    refused(out.getvalue(), "corrupt_file", filename="broken.docx")


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    error = refused(documents.zip_bomb_docx(), "too_large", filename="bomb.docx")
    assert error.details["inflated_bytes"] > error.details["limit_bytes"]


# --- web pages ----------------------------------------------------------------------------------------------

ARTICLE = [
    "The lithosphere is broken into plates that move slowly over the asthenosphere, driven by mantle convection.",
    "At a convergent boundary one plate sinks beneath another in subduction, building mountains and volcanoes.",
]


def test_a_web_page_gives_its_article_without_navigation_footer_or_scripts() -> None:
    page = documents.html_page("Plate tectonics explained", ARTICLE, heading="Plate tectonics")
    got = run(page, filename="plates.html")

    assert (got.kind, got.media_type, got.title) == (SourceKind.HTML, "text/html", "Plate tectonics explained")
    assert got.text.startswith("# Plate tectonics\n")
    assert all(paragraph in got.text for paragraph in ARTICLE)
    for chrome in ("navigation link", "Copyright footer", "TRACKING-SCRIPT", "hidden-style-rule", "Example Science"):
        assert chrome not in got.text


def test_a_page_too_small_for_main_text_extraction_gives_its_body_text() -> None:
    page = (
        b"<html><head><title>Lists</title><script>var TRACKING = 1;</script></head><body>"
        b"<nav><a href='/'>Home navigation link</a></nav><ul><li>Alpha item</li><li>Beta item</li></ul>"
        b"<script>console.log('TRACKING')</script></body></html>"
    )
    got = run(page)

    assert got.kind is SourceKind.HTML and got.title == "Lists"
    assert got.text == "Alpha item\n\nBeta item"


def test_a_web_page_in_a_declared_charset_is_decoded() -> None:
    page = "<html><body><p>Un café crème, s'il vous plaît.</p></body></html>".encode("latin-1")
    assert "café crème" in run(page, declared_type="text/html; charset=ISO-8859-1").text


def test_a_charset_python_does_not_know_is_passed_over_for_the_one_the_page_names() -> None:
    page = b'<html><head><meta charset="iso-8859-1"></head><body><p>Un caf\xe9 cr\xe8me.</p></body></html>'
    assert "Un café crème." in run(page, declared_type="text/html; charset=undefined").text


@pytest.mark.parametrize(
    "declared_type",
    [
        None,
        "text/html; charset=undefined",
        "text/html; charset=no-such-charset",
        "text/html; charset=base64",
        "text/html; charset=utf-8\x00",
    ],
)
def test_text_in_no_charset_python_knows_is_an_unknown_encoding(declared_type: str | None) -> None:
    page = b'<html><head><meta charset="undefined"></head><body><p>Un caf\xe9.</p></body></html>'
    error = refused(page, "unsupported_type", declared_type=declared_type)
    assert error.details["detected"] == "unknown_encoding"


def test_a_charset_decoding_to_lone_surrogates_gives_replacement_characters() -> None:
    got = run(b"caf\xe9 \\udcff", declared_type="text/plain; charset=raw_unicode_escape")
    assert got.text == "café \ufffd"


def test_a_web_page_without_a_title_tag_takes_its_og_title() -> None:
    page = b'<html><head><meta property="og:title" content="Open graph title"></head><body><p>Words.</p></body></html>'
    assert run(page).title == "Open graph title"


# --- markup and plain text ------------------------------------------------------------------------------------


def test_markdown_is_kept_as_written_with_its_first_heading_as_title() -> None:
    data = documents.markdown("Cells", ["A cell is the unit of life.", "Membranes *enclose* it."], newline="\r\n")
    got = run(data, filename="cells.md")

    assert (got.kind, got.media_type, got.title) == (SourceKind.MARKDOWN, "text/markdown", "Cells")
    assert got.text == data.decode().replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("```\n# not a title\n```\n\n# Real title\n\nText.\n", "Real title"),
        ("Intro.\n\n## Second level\n\n# Closed title ##\n", "Closed title"),
        ("# Learning C#\n", "Learning C#"),
        ("No heading at all.\n", None),
    ],
)
def test_the_first_level_one_heading_outside_code_is_the_markdown_title(text: str, title: str | None) -> None:
    assert run(text.encode(), declared_type="text/markdown").title == title


def test_restructured_text_is_kept_as_written_with_its_title() -> None:
    text = "============\nMitochondria\n============\n\nThe *powerhouse* of the cell.\n\nHistory\n-------\n\nOld.\n"
    got = run(text.encode(), filename="mito.rst")

    assert (got.kind, got.media_type, got.title) == (SourceKind.RST, "text/x-rst", "Mitochondria")
    assert got.text == text


def test_plain_text_is_kept_as_written_and_has_no_title() -> None:
    text = "# Not markdown here\r\nJust notes.\rMore notes.\n"
    got = run(text.encode(), filename="notes.txt", declared_type="text/plain")

    assert (got.kind, got.media_type, got.title) == (SourceKind.TEXT, "text/plain", None)
    assert got.text == "# Not markdown here\nJust notes.\nMore notes.\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_text_with_a_byte_order_mark_is_decoded_without_it(encoding: str) -> None:
    got = run("Grüße aus Köln.\r\nZweite Zeile.".encode(encoding), filename="note.txt")
    assert got.text == "Grüße aus Köln.\nZweite Zeile."


# --- telling what the bytes are ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "declared_type", "kind"),
    [
        (documents.pdf(["x"]), None, None, SourceKind.PDF),
        (documents.pdf(["x"]), "upload.bin", "application/octet-stream", SourceKind.PDF),
        (documents.docx(), None, "application/zip", SourceKind.DOCX),
        (b"  <!-- generated --> <!DOCTYPE html><html><body>x</body></html>", None, "text/plain", SourceKind.HTML),
        (b"<p>fragment</p>", "page.htm", None, SourceKind.HTML),
        (b"# Title", None, "text/markdown; charset=utf-8", SourceKind.MARKDOWN),
        (b"Title\n=====", "doc.rst", None, SourceKind.RST),
        (b"# Title", "notes", None, SourceKind.TEXT),
        (b'{"json": true}', "data.json", "application/json", SourceKind.TEXT),
    ],
)
def test_the_bytes_decide_the_kind(
    data: bytes, filename: str | None, declared_type: str | None, kind: SourceKind
) -> None:
    assert detect(data, filename=filename, declared_type=declared_type)[0] is kind


# --- refusals -----------------------------------------------------------------------------------------------


def test_an_encrypted_pdf_is_refused() -> None:
    refused(documents.encrypted_pdf(), "encrypted_pdf", filename="secret.pdf")


def test_a_scanned_pdf_has_no_text_layer() -> None:
    error = refused(documents.scanned_pdf(), "no_text_layer")
    assert "scanned" in error.message and "OCR" in error.message


def test_a_broken_pdf_is_corrupt() -> None:
    refused(documents.corrupt_pdf(), "corrupt_file", filename="broken.pdf")


@pytest.mark.parametrize(
    ("data", "filename", "declared_type", "declared", "detected"),
    [
        (documents.pdf(["A PDF."]), "notes.txt", "text/plain", "text/plain", "pdf"),
        (b"Plain words, not a PDF.", "report.pdf", None, ".pdf", "text"),
        (b"Plain words, not a PDF.", None, "application/pdf", "application/pdf", "text"),
        (documents.plain_zip(), "essay.docx", None, ".docx", "zip"),
        (documents.docx(), "essay.pdf", None, ".pdf", "docx"),
        (bytes(range(1, 200)) + b"\x00", "notes.txt", None, ".txt", "binary"),
        (documents.pdf(["A PDF."]), None, "image/png", "image/png", "pdf"),
    ],
)
def test_a_file_whose_bytes_contradict_its_name_or_type_is_mislabelled(
    data: bytes, filename: str | None, declared_type: str | None, declared: str, detected: str
) -> None:
    error = refused(data, "mislabelled_file", filename=filename, declared_type=declared_type)
    assert (error.details["declared"], error.details["detected"]) == (declared, detected)
    assert declared in error.message


@pytest.mark.parametrize(
    ("data", "detected"),
    [
        (documents.plain_zip(), "zip"),
        (bytes(range(256)) * 8, "binary"),
        (documents.png(), "png"),
        ("Latin-1 text: café".encode("latin-1"), "unknown_encoding"),
    ],
)
def test_a_format_not_supported_is_refused_with_the_ones_that_are(data: bytes, detected: str) -> None:
    error = refused(data, "unsupported_type", filename="upload")
    assert error.details["detected"] == detected
    assert error.details["supported"] == ["pdf", "docx", "html", "markdown", "rst", "text"]


def test_a_pdf_over_the_page_limit_is_refused() -> None:
    error = refused(documents.pdf(PAGES), "too_many_pages", limits=ExtractLimits(max_pages=2, max_characters=10_000))
    assert (error.details["limit_pages"], error.details["pages"]) == (2, 3)


@pytest.mark.parametrize(
    "data",
    [
        documents.pdf(PAGES),
        documents.docx(paragraphs=PAGES),
        "word ".join(PAGES).encode(),
        documents.html_page("T", PAGES),
    ],
    ids=["pdf", "docx", "text", "html"],
)
def test_a_text_over_the_character_limit_is_refused(data: bytes) -> None:
    error = refused(data, "too_much_text", limits=ExtractLimits(max_pages=50, max_characters=100))
    assert error.details["limit_characters"] == 100
    assert error.details["characters"] > 100


@pytest.mark.timeout(10)  # without the limit, each page's mebibyte takes seconds to interpret
@pytest.mark.parametrize(
    ("data", "limit", "page"),
    [
        (documents.busy_pdf(pages=65), MAX_PDF_CONTENT_BYTES, None),  # 1 MiB shared by all
        (documents.busy_pdf(pages=1, uses=17), MAX_PAGE_CONTENT_BYTES, 1),  # listed 17 times in /Contents
        (documents.busy_pdf(pages=1, uses=17, as_form=True), MAX_PAGE_CONTENT_BYTES, 1),  # drawn 17 times
    ],
    ids=["shared-by-pages", "repeated-in-a-page", "drawn-as-a-form"],
)
def test_a_pdf_with_too_much_content_to_interpret_is_refused_before_it_is_read(
    data: bytes, limit: int, page: int | None
) -> None:
    error = refused(data, "too_complex", limits=ExtractLimits(max_pages=100, max_characters=200_000))
    assert error.details["limit_bytes"] == limit
    assert error.details["content_bytes"] > limit
    assert error.details.get("page") == page


def test_a_long_pdf_stops_being_read_at_the_limit() -> None:
    error = refused(documents.pdf(PAGES * 10), "too_much_text", limits=ExtractLimits(max_pages=50, max_characters=100))
    assert error.details["characters"] <= len(PAGES[0])  # the first page was enough


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", None),
        (b" \n\r\n\t ", "empty.txt"),
        (documents.pdf(["", ""]), None),
        (b"<html><head><title>Nothing</title></head><body><script>x()</script></body></html>", None),
        (documents.docx(heading="", subheading="", paragraphs=(), items=(), table=()), None),
    ],
    ids=["nothing", "whitespace", "blank-pdf", "empty-page", "empty-docx"],
)
def test_a_file_without_text_is_empty(data: bytes, filename: str | None) -> None:
    refused(data, "empty_source", filename=filename)
