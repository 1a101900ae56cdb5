"""The quiz as an IMS QTI 2.1 content package: ``imsmanifest.xml`` and one choice item per question.

Each item is the specification's plain choice item (``choice.xml`` in its examples): a ``RESPONSE`` of base type
identifier whose correct value names a ``simpleChoice``, a ``SCORE``, a ``choiceInteraction`` and the
``match_correct`` response processing template. Every quiz question has exactly one correct option (the Quiz
model's ``answer_index``), so the cardinality is single and one choice may be made. The explanation is not in
the items: ``match_correct`` sets no feedback outcome to show it by.
"""

from __future__ import annotations

import hashlib
import re

from lxml import etree

from app.content.catalogue import ArtifactType
from app.content.models import Quiz, QuizQuestion
from app.exports.archive import zipped
from app.exports.formats import Format, JobArtifact

MEDIA_TYPE = "application/zip"
QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
ITEM_RESOURCE = "imsqti_item_xmlv2p1"
CHOICES = "ABCDE"  # a quiz question has at most five options

# Characters XML 1.0 cannot hold at all (most C0 controls, such as a PDF's form feed): dropped from text.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _qti(parent: etree._Element, tag: str, /, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{QTI}}}{tag}", attributes)


def _item(question: QuizQuestion, identifier: str, title: str) -> bytes:
    attributes = {"identifier": identifier, "title": _text(title), "adaptive": "false", "timeDependent": "false"}
    item = etree.Element(f"{{{QTI}}}assessmentItem", attributes, nsmap={None: QTI, "xsi": XSI})
    item.set(f"{{{XSI}}}schemaLocation", f"{QTI} {QTI_XSD}")

    response = _qti(item, "responseDeclaration", identifier="RESPONSE", cardinality="single", baseType="identifier")
    _qti(_qti(response, "correctResponse"), "value").text = CHOICES[question.answer_index]

    score = _qti(item, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float")
    _qti(_qti(score, "defaultValue"), "value").text = "0"

    body = _qti(item, "itemBody")
    # The options never point at one another ("all of the above" is refused), so they may be shuffled.
    interaction = _qti(body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="true", maxChoices="1")
    _qti(interaction, "prompt").text = _text(question.question)
    for choice, option in zip(CHOICES, question.options, strict=False):
        _qti(interaction, "simpleChoice", identifier=choice).text = _text(option)

    _qti(item, "responseProcessing", template=MATCH_CORRECT)
    return bytes(etree.tostring(item, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _manifest(identifier: str, items: list[tuple[str, str]]) -> bytes:
    manifest = etree.Element(f"{{{CP}}}manifest", identifier=identifier, nsmap={None: CP, "xsi": XSI})
    manifest.set(f"{{{XSI}}}schemaLocation", f"{CP} {CP_XSD}")
    metadata = etree.SubElement(manifest, f"{{{CP}}}metadata")
    etree.SubElement(metadata, f"{{{CP}}}schema").text = "QTIv2.1 Package"
    etree.SubElement(metadata, f"{{{CP}}}schemaversion").text = "1.0.0"
    etree.SubElement(manifest, f"{{{CP}}}organizations")
    resources = etree.SubElement(manifest, f"{{{CP}}}resources")
    for item_id, href in items:
        resource = etree.SubElement(resources, f"{{{CP}}}resource", identifier=item_id, type=ITEM_RESOURCE, href=href)
        etree.SubElement(resource, f"{{{CP}}}file", href=href)
    return bytes(etree.tostring(manifest, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def item_prefix(job_id: str) -> str:
    """What every identifier of a job's package starts with: stable for the job, unlike any other job's, and an
    XML name whatever the job id holds (manifest identifiers are ``xs:ID``)."""
    return "cf-" + hashlib.sha256(job_id.encode()).hexdigest()[:16]


def render(item: JobArtifact) -> bytes:
    quiz = item.content_as(Quiz)
    prefix = item_prefix(item.job_id)
    title = item.name("Quiz")
    entries: list[tuple[str, bytes]] = []
    listed: list[tuple[str, str]] = []
    for number, question in enumerate(quiz.questions, start=1):
        identifier, href = f"{prefix}-q{number:02d}", f"items/q{number:02d}.xml"
        entries.append((href, _item(question, identifier, f"{title}: question {number}")))
        listed.append((identifier, href))
    return zipped([("imsmanifest.xml", _manifest(f"{prefix}-manifest", listed)), *entries])


QTI_PACKAGE = Format(
    name="qti",
    media_type=MEDIA_TYPE,
    extension="qti.zip",
    offers=lambda artifact: artifact is ArtifactType.QUIZ,
    render=render,
)
