"""A job's zip holds every artifact in every format it is offered in, each file readable in its format."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from app.content.catalogue import ArtifactType, artifact_types
from app.exports import formats_of, render_job
from tests.exports.contents import MODIFIED, strings
from tests.exports.readers import check_choice, markdown_text, read_apkg, read_gift, read_qti
from tests.fixtures.samples import flat

A = ArtifactType
EXTENSIONS = {"json": "json", "md": "md", "csv": "csv", "apkg": "apkg", "qti": "qti.zip", "gift": "gift.txt"}


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}


def check_readable(name: str, data: bytes, content: dict[str, Any], folder: Path) -> None:
    """The file reads in its format and holds the artifact."""
    if name == "json":
        assert json.loads(data) == content
    elif name == "md":
        shown = markdown_text(data.decode("utf-8"))
        assert all(flat(s) in shown for s in strings(content))
    elif name == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
        assert len(rows) == len(next(iter(v for v in content.values() if isinstance(v, list))))
    elif name == "apkg":
        assert read_apkg(data, folder).notes
    elif name == "qti":
        _, items = read_qti(data)
        assert len(items) == len(content["questions"])
    elif name == "gift":
        questions = read_gift(data.decode("utf-8"))
        assert len(questions) == len(content["questions"])
        for question in questions:
            check_choice(question)
    else:
        raise AssertionError(f"no check for {name}")


def test_every_artifact_in_every_format(grounded: dict[A, dict[str, Any]], tmp_path: Path) -> None:
    rendered = render_job("job_1", "Photosynthesis", grounded, modified=MODIFIED)
    assert (rendered.media_type, rendered.extension) == ("application/zip", "zip")
    files = entries(rendered.data)
    expected = {
        f"{artifact}/{artifact}.{EXTENSIONS[name]}": (artifact, name)
        for artifact in artifact_types()
        for name in formats_of(artifact)
    }
    assert set(files) == {"manifest.json", *expected}
    for path, (artifact, name) in expected.items():
        assert files[path], path
        check_readable(name, files[path], grounded[artifact], tmp_path)


def test_the_manifest_lists_the_files(grounded: dict[A, dict[str, Any]]) -> None:
    files = entries(render_job("job_1", "Photosynthesis", grounded, modified=MODIFIED).data)
    manifest = json.loads(files["manifest.json"])
    assert (manifest["job_id"], manifest["title"]) == ("job_1", "Photosynthesis")
    assert [f["path"] for f in manifest["files"]] == [p for p in files if p != "manifest.json"]
    for listed in manifest["files"]:
        data = files[listed["path"]]
        assert listed["bytes"] == len(data)
        assert listed["sha256"] == hashlib.sha256(data).hexdigest()
        assert listed["format"] in formats_of(A(listed["artifact"]))
    assert {f["media_type"] for f in manifest["files"] if f["format"] == "md"} == {"text/markdown; charset=utf-8"}


def test_only_the_artifacts_given_in_catalogue_order(grounded: dict[A, dict[str, Any]]) -> None:
    some = {A.QUIZ: grounded[A.QUIZ], A.OUTLINE: grounded[A.OUTLINE]}
    files = entries(render_job("job_1", "Photosynthesis", some, modified=MODIFIED).data)
    assert [p.split("/")[0] for p in files if p != "manifest.json"] == ["outline"] * 2 + ["quiz"] * 6


def test_the_same_job_gives_the_same_bytes(grounded: dict[A, dict[str, Any]]) -> None:
    reordered = dict(reversed(list(grounded.items())))
    first = render_job("job_1", "Photosynthesis", grounded, modified=MODIFIED).data
    assert render_job("job_1", "Photosynthesis", reordered, modified=MODIFIED).data == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_a_job_with_no_artifacts_is_a_zip_with_its_manifest() -> None:
    files = entries(render_job("job_1", "", {}).data)
    assert list(files) == ["manifest.json"]
    assert json.loads(files["manifest.json"])["files"] == []
