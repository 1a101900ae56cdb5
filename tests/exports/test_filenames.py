"""Download names are plain ASCII that no header or file system reads as anything but a name."""

from __future__ import annotations

import re

import pytest

from app.content.catalogue import ArtifactType
from app.exports import filename

SAFE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+)+$")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Photosynthesis", "photosynthesis-quiz.gift.txt"),
        ('He said "no"; filename="evil.exe"', "he-said-no-filename-evil-exe-quiz.gift.txt"),
        ("../../etc/passwd", "etc-passwd-quiz.gift.txt"),
        ("C:\\Windows\\system32", "c-windows-system32-quiz.gift.txt"),
        ("line one\r\nSet-Cookie: a=b", "line-one-set-cookie-a-b-quiz.gift.txt"),
        ("Ünïcödé Çafé naïve", "unicode-cafe-naive-quiz.gift.txt"),
        ("光合作用", "content-factory-quiz.gift.txt"),
        ("", "content-factory-quiz.gift.txt"),
        ("...", "content-factory-quiz.gift.txt"),
        ("\x00\x1b[31mred", "31mred-quiz.gift.txt"),
    ],
)
def test_hostile_titles_make_safe_names(title: str, expected: str) -> None:
    name = filename(title, ArtifactType.QUIZ, "gift.txt")
    assert name == expected
    assert SAFE.match(name)
    assert name.isascii()


def test_a_long_title_is_cut_and_the_artifact_stays() -> None:
    name = filename("word " * 100, ArtifactType.READING_QUESTIONS, "csv")
    assert name.endswith("-reading-questions.csv")
    assert SAFE.match(name)
    assert len(name) <= 80 + len("-reading-questions.csv")


def test_a_job_bundle_has_no_artifact_in_its_name() -> None:
    assert filename("Photosynthesis / Part 2", None, "zip") == "photosynthesis-part-2.zip"


@pytest.mark.parametrize("extension", ["", ".csv", "csv/../x", "c s v", "CSV\r\n"])
def test_an_extension_that_is_not_one_is_refused(extension: str) -> None:
    with pytest.raises(ValueError, match="not a file extension"):
        filename("Photosynthesis", ArtifactType.QUIZ, extension)
