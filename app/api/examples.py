"""The examples the API document shows: bodies a client may send as they are, and answers as the API gives them.

Swagger UI fills "Try it out" with the first request example, and generated clients' docs quote them, so each
one must be right: ``tests/api/test_openapi.py`` sends every request example to the API and checks every answer
example against its schema. ``app.api.docs`` puts them in the finished document (``REQUESTS``, ``ANSWERS``), where
no encoder drops their nulls.
"""

from __future__ import annotations

from typing import Any

_SOURCE = (
    "Photosynthesis is the process by which green plants, algae and some bacteria turn light energy into chemical "
    "energy. In the light-dependent reactions, which take place in the thylakoid membranes of the chloroplast, "
    "chlorophyll absorbs light and water is split, releasing oxygen. The energy captured is stored in ATP and "
    "NADPH. In the Calvin cycle, which runs in the stroma, the enzyme RuBisCO fixes carbon dioxide into "
    "three-carbon sugars, using the ATP and NADPH. The rate of photosynthesis depends on light intensity, carbon "
    "dioxide concentration and temperature; whichever is scarcest limits it."
)

CREATE_JOB: dict[str, dict[str, Any]] = {
    "source_text": {
        "summary": "From a text you paste",
        "value": {
            "source_text": _SOURCE,
            "artifacts": ["outline", "flashcards", "faq"],
            "options": {"flashcards": {"count": 5}, "faq": {"count": 5}},
        },
    },
    "audience": {
        "summary": "For one audience, with a focus",
        "value": {
            "topic": "Photosynthesis",
            "source_text": _SOURCE,
            "artifacts": ["outline", "study_guide", "one_pager", "flashcards"],
            "audience": "first-year biology students",
            "difficulty": "intermediate",
            "focus": "the Calvin cycle",
            "options": {"flashcards": {"count": 5}},
        },
    },
}

CREATE_SOURCE: dict[str, dict[str, Any]] = {
    "text": {"summary": "A text with a title", "value": {"text": _SOURCE, "title": "Photosynthesis notes"}},
}

_TIME = "2026-12-03T09:30:00Z"
JOB: dict[str, Any] = {
    "id": "j_4fKq8Zr2TmWc1xLb",
    "title": "Photosynthesis",
    "status": "queued",
    "version": 1,
    "progress": {"done": 0, "total": 3, "percent": 0},  # as the first request example makes it
    "artifacts": {
        name: {"status": "queued" if name == "outline" else "pending", "attempts": 0, "cached": False}
        for name in ("outline", "flashcards", "faq")
    },
    "usage": {"input_tokens": 0, "output_tokens": 0, "cached_input_tokens": 0, "llm_calls": 0, "cost_usd": 0.0},
    "request": {
        "topic": None,
        "source_chars": len(_SOURCE),
        "source_ids": [],
        "artifacts": ["outline", "flashcards", "faq"],
        "language": "en",
        "audience": None,
        "difficulty": None,
        "focus": None,
        "options": {"flashcards": {"count": 5}, "faq": {"count": 5}},
    },
    "created_at": _TIME,
    "updated_at": _TIME,
    "finished_at": None,
}


def _card(front: str, back: str, difficulty: str, start: int, end: int) -> dict[str, Any]:
    evidence = [{"source_id": None, "start": start, "end": end, "quote": _SOURCE[start:end], "page": None}]
    return {"front": front, "back": back, "difficulty": difficulty, "evidence": evidence}


FLASHCARDS: dict[str, Any] = {
    "type": "flashcards",
    "content": {
        "cards": [
            _card(
                "What does photosynthesis turn light energy into?",
                "Chemical energy, stored in sugars.",
                "easy",
                0,
                _SOURCE.index(" In the light"),
            ),
            _card(
                "Where do the light-dependent reactions take place?",
                "In the thylakoid membranes of the chloroplast.",
                "easy",
                _SOURCE.index("In the light"),
                _SOURCE.index(", chlorophyll"),
            ),
            _card(
                "What is released when water is split?",
                "Oxygen.",
                "easy",
                _SOURCE.index("chlorophyll absorbs"),
                _SOURCE.index(" The energy"),
            ),
            _card(
                "What does RuBisCO do in the Calvin cycle?",
                "It fixes carbon dioxide into three-carbon sugars.",
                "medium",
                _SOURCE.index("In the Calvin"),
                _SOURCE.index(", using"),
            ),
            _card(
                "What limits the rate of photosynthesis?",
                "Whichever of light, carbon dioxide or temperature is scarcest.",
                "hard",
                _SOURCE.index("The rate"),
                len(_SOURCE),
            ),
        ]
    },
    "generated_by": {"provider": "extractive", "model": "extractive-v1", "prompt_version": "extractive-1"},
    "cached": False,
    "grounded": True,
    "grounding": {"supported": 5, "unsupported": 0},
}


REQUESTS: dict[str, dict[str, dict[str, Any]]] = {"createJob": CREATE_JOB, "createSource": CREATE_SOURCE}
ANSWERS: dict[tuple[str, str], Any] = {("createJob", "202"): JOB, ("getArtifact", "200"): FLASHCARDS}
