"""QTI 2.1: each quiz question is a well-formed choice item with what the specification requires of one, and
the manifest lists every item."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest

from app.content.catalogue import ArtifactType
from app.exports import render
from tests.exports.contents import tricky_quiz
from tests.exports.readers import CP, NS, QTI, read_qti

A = ArtifactType
MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")  # QTI's identifier type: an XML name without a colon
# assessmentItem's children in the order its schema's sequence allows them (those a choice item uses).
ITEM_ORDER = ["responseDeclaration", "outcomeDeclaration", "itemBody", "responseProcessing"]


def package(content: dict[str, Any], job_id: str = "job_1") -> tuple[Any, dict[str, Any]]:
    return read_qti(render(A.QUIZ, "qti", content, job_id=job_id, title="Photosynthesis").data)


def q(tag: str) -> str:
    return f"{{{QTI}}}{tag}"


def check_choice_item(item: Any, question: dict[str, Any]) -> None:
    assert item.tag == q("assessmentItem")
    assert IDENTIFIER.match(item.get("identifier"))
    assert item.get("title")
    assert item.get("adaptive") == "false"
    assert item.get("timeDependent") == "false"
    assert [child.tag for child in item] == [q(tag) for tag in ITEM_ORDER]

    (response,) = item.findall(q("responseDeclaration"))
    assert response.get("identifier") == "RESPONSE"
    assert response.get("baseType") == "identifier"
    correct = response.xpath("qti:correctResponse/qti:value/text()", namespaces=NS)

    (outcome,) = item.findall(q("outcomeDeclaration"))
    assert (outcome.get("identifier"), outcome.get("cardinality"), outcome.get("baseType")) == (
        "SCORE",
        "single",
        "float",
    )

    (interaction,) = item.xpath("qti:itemBody/qti:choiceInteraction", namespaces=NS)
    assert interaction.get("responseIdentifier") == response.get("identifier")
    assert interaction.get("shuffle") in ("true", "false")
    choices = interaction.findall(q("simpleChoice"))
    identifiers = [c.get("identifier") for c in choices]
    assert len(set(identifiers)) == len(identifiers)
    assert all(IDENTIFIER.match(i) for i in identifiers)
    assert set(correct) <= set(identifiers)
    max_choices = int(interaction.get("maxChoices"))
    if response.get("cardinality") == "single":
        assert len(correct) == 1
        assert max_choices == 1
    else:
        assert response.get("cardinality") == "multiple"
        assert max_choices == 0 or max_choices >= len(correct)
    (prompt,) = interaction.findall(q("prompt"))
    assert interaction.index(prompt) == 0

    assert prompt.text == question["question"]
    assert [c.text for c in choices] == question["options"]
    assert [c.text for c in choices if c.get("identifier") in correct] == [
        question["options"][question["answer_index"]]
    ]

    (processing,) = item.findall(q("responseProcessing"))
    assert processing.get("template") == MATCH_CORRECT
    assert len(processing) == 0


def test_every_question_is_a_choice_item(grounded: dict[A, dict[str, Any]]) -> None:
    questions = grounded[A.QUIZ]["questions"]
    _, items = package(grounded[A.QUIZ])
    assert len(items) == len(questions)
    for (_, item), question in zip(sorted(items.items()), questions, strict=True):
        check_choice_item(item, question)


def test_the_manifest_lists_every_item_as_a_qti_item(grounded: dict[A, dict[str, Any]]) -> None:
    manifest, items = package(grounded[A.QUIZ])
    assert manifest.tag == f"{{{CP}}}manifest"
    assert manifest.xpath("cp:metadata/cp:schema/text()", namespaces=NS) == ["QTIv2.1 Package"]
    resources = manifest.xpath("cp:resources/cp:resource", namespaces=NS)
    assert [r.get("href") for r in resources] == sorted(items)
    assert {r.get("type") for r in resources} == {"imsqti_item_xmlv2p1"}
    ids = [r.get("identifier") for r in resources] + [manifest.get("identifier")]
    assert len(set(ids)) == len(ids)
    assert all(IDENTIFIER.match(i) and ":" not in i for i in ids)
    assert [r.get("identifier") for r in resources] == [items[r.get("href")].get("identifier") for r in resources]


def test_identifiers_are_stable_for_a_job_and_differ_for_another(grounded: dict[A, dict[str, Any]]) -> None:
    first = render(A.QUIZ, "qti", grounded[A.QUIZ], job_id="job_1", title="Photosynthesis").data
    assert render(A.QUIZ, "qti", grounded[A.QUIZ], job_id="job_1", title="Photosynthesis").data == first
    mine = {item.get("identifier") for item in package(grounded[A.QUIZ])[1].values()}
    theirs = {item.get("identifier") for item in package(grounded[A.QUIZ], job_id="job:2 <x>")[1].values()}
    assert not mine & theirs
    assert all(IDENTIFIER.match(i) for i in theirs)


def test_markup_in_the_text_is_text() -> None:
    content = tricky_quiz()
    _, items = package(content)
    for (_, item), question in zip(sorted(items.items()), content["questions"], strict=True):
        check_choice_item(item, question)
    html_item = items["items/q05.xml"]
    assert not html_item.xpath("//qti:b", namespaces=NS)
    assert html_item.xpath("//qti:simpleChoice/text()", namespaces=NS)[3] == "<![CDATA[x]]>"


def test_characters_xml_cannot_hold_are_dropped() -> None:
    content = tricky_quiz()
    content["questions"][1]["question"] = "What does ::title:: mean\x0c in GIFT\x01?"
    _, items = package(content)
    assert items["items/q02.xml"].xpath("//qti:prompt/text()", namespaces=NS) == ["What does ::title:: mean in GIFT?"]


@pytest.mark.parametrize("number", [1, 3])
def test_each_item_file_has_its_declaration(number: int, grounded: dict[A, dict[str, Any]]) -> None:
    data = render(A.QUIZ, "qti", grounded[A.QUIZ], job_id="job_1", title="Photosynthesis").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        raw = archive.read(f"items/q{number:02d}.xml")
    assert raw.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert b'xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"' in raw
