"""Valid artifact content, as a well-behaved model would write it, about a given subject and with the counts
the request's schema pins."""

from __future__ import annotations

from typing import Any

ARTIFACT_BY_PROPERTY = {
    "learning_objectives": "outline",
    "speakers": "podcast_script",
    "key_concepts": "study_guide",
    "key_takeaways": "one_pager",
    "introduction": "detailed_reading",
    "items": "faq",
    "cards": "flashcards",
    "questions": "reading_questions",
    "notes": "notes",
}


def artifact_of(schema: dict[str, Any]) -> str:
    properties = schema.get("properties", {})
    question = ((properties.get("questions") or {}).get("items") or {}).get("properties") or {}
    if "options" in question:
        return "quiz"  # a reading question has no options
    for name, artifact in ARTIFACT_BY_PROPERTY.items():
        if name in properties:
            return artifact
    return "unknown"


def pinned_count(schema: dict[str, Any], default: int) -> int:
    for name in ("items", "cards", "questions"):
        prop = schema.get("properties", {}).get(name)
        pinned = (prop or {}).get("minItems", (prop or {}).get("min_items"))  # Gemini's SDK sends snake_case
        if pinned is not None:
            return int(pinned)
    return default


def build(artifact: str, subject: str, count: int, source: str, words: int | None = None) -> dict[str, Any]:
    """Valid content for the artifact; a podcast of about ``words`` spoken words when the prompt asks for that."""
    s = subject
    if artifact == "outline":
        return {
            "title": f"Understanding {s}",
            "overview": f"A structured introduction to {s}.",
            "learning_objectives": [f"Explain the role of {s} in context {i}." for i in range(1, 5)],
            "sections": [
                {
                    "number": i,
                    "title": f"{s}: part {i}",
                    "summary": f"Part {i} covers one aspect of {s}.",
                    "key_points": [f"Key point {i}.{j} about {s}." for j in range(1, 3)],
                }
                for i in range(1, 5)
            ],
            "difficulty": "intermediate",
        }
    if artifact == "podcast_script":
        turns = max(8, (words or 0) // 40)
        filler = " ".join(["and", "so", "on"] * 12)  # 36 words: with the rest, about 40 a turn when asked
        return {
            "title": f"Talking about {s}",
            "speakers": [{"name": "Ada", "role": "host"}, {"name": "Ben", "role": "guest expert"}],
            "segments": [
                {"speaker": ("Ada", "Ben")[i % 2], "text": f"Turn {i} on {s}, {filler if words else 'briefly'}."}
                for i in range(turns)
            ],
            "estimated_minutes": 4.5,
        }
    if artifact == "study_guide":
        return {
            "title": f"Study guide: {s}",
            "overview": f"What to know about {s}.",
            "key_concepts": [{"term": f"{s} concept {i}", "explanation": f"Concept {i} of {s}."} for i in range(6)],
            "sections": [{"title": f"Section {i}", "content": f"About {s}, part {i}."} for i in range(1, 4)],
            "summary": f"{s} in brief.",
        }
    if artifact == "one_pager":
        return {
            "title": f"{s} on one page",
            "summary": f"The essentials of {s}.",
            "key_takeaways": [f"Takeaway {i} on {s}." for i in range(1, 5)],
            "body": f"{s} matters because it shapes what follows.",
        }
    if artifact == "detailed_reading":
        return {
            "title": f"Reading: {s}",
            "introduction": f"This reading explores {s}.",
            "sections": [{"title": f"Chapter {i}", "content": f"A longer look at {s}, part {i}."} for i in range(1, 5)],
            "conclusion": f"{s}, revisited.",
        }
    if artifact == "faq":
        return {
            "items": [
                {"question": f"What is aspect {i} of {s}?", "answer": f"Aspect {i} is a facet."} for i in range(count)
            ]
        }
    if artifact == "flashcards":
        levels = ("easy", "medium", "hard")
        return {
            "cards": [
                {"front": f"{s}: term {i}", "back": f"The meaning of term {i}.", "difficulty": levels[i % 3]}
                for i in range(count)
            ]
        }
    if artifact == "reading_questions":
        kinds = ("recall", "analysis", "application", "evaluation")
        return {"questions": [{"question": f"Question {i} on {s}?", "kind": kinds[i % 4]} for i in range(count)]}
    if artifact == "quiz":
        levels = ("easy", "medium", "hard")
        return {
            "questions": [
                {
                    "question": f"Which statement about aspect {i} of {s} is right?",
                    "options": [f"Aspect {i} is facet {letter} of {s}." for letter in "ABCD"],
                    "answer_index": i % 4,
                    "explanation": f"Aspect {i} is facet {'ABCD'[i % 4]}; the other facets belong to other aspects.",
                    "difficulty": levels[i % 3],
                }
                for i in range(count)
            ]
        }
    if artifact == "notes":
        return {"notes": " ".join(source.split()[: max(8, len(source.split()) // 4)])}
    return {}
