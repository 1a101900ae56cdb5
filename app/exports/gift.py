"""The quiz in Moodle's GIFT format: one multiple-choice question per quiz question, blank lines between.

    ::Photosynthesis: question 1::[plain]Which pigment ...?{
    =Chlorophyll
    ~Carotene
    ####Chlorophyll absorbs red and blue light ...
    }

Every quiz question has exactly one correct option (``answer_index``): ``=`` marks it, ``~`` the others, and
the explanation is the general feedback (``####``), shown whichever option was chosen. ``[plain]`` makes Moodle
show the text as written rather than read it as HTML. GIFT's own characters (``~ = # { } :`` and the backslash)
are escaped with a backslash, and a line break is ``\\n``, since a blank line ends a question.
See https://docs.moodle.org/en/GIFT_format.
"""

from __future__ import annotations

from app.content.catalogue import ArtifactType
from app.content.models import Quiz, QuizQuestion
from app.exports.formats import Format, JobArtifact

MEDIA_TYPE = "text/plain; charset=utf-8"
SPECIAL = "~=#{}:"


def escaped(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for char in SPECIAL:
        out = out.replace(char, "\\" + char)
    return "\n".join(out.splitlines()).replace("\n", "\\n")


def _question(question: QuizQuestion, name: str) -> str:
    lines = [f"// difficulty: {question.difficulty.value}", f"::{escaped(name)}::[plain]{escaped(question.question)}{{"]
    for index, option in enumerate(question.options):
        lines.append(("=" if index == question.answer_index else "~") + escaped(option))
    lines += [f"####{escaped(question.explanation)}", "}"]
    return "\n".join(lines)


def render(item: JobArtifact) -> bytes:
    quiz = item.content_as(Quiz)
    title = item.name("Quiz")
    # A comment, so a person opening the file knows what it is; it runs to the end of its line.
    header = "// " + " ".join(f"{item.heading('Quiz')} (Content Factory job {item.job_id})".split())
    questions = [_question(q, f"{title}: question {n}") for n, q in enumerate(quiz.questions, start=1)]
    return ("\n\n".join([header, *questions]) + "\n").encode("utf-8")


GIFT = Format(
    name="gift",
    media_type=MEDIA_TYPE,
    extension="gift.txt",
    offers=lambda artifact: artifact is ArtifactType.QUIZ,
    render=render,
)
