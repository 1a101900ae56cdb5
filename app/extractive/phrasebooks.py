"""The phrasebook of each language the offline engine writes (``app.extractive.language.SERVED``)."""

from __future__ import annotations

from app.extractive.phrasebook import ENGLISH, Phrasebook
from app.extractive.phrasebook_de import GERMAN
from app.extractive.phrasebook_es import SPANISH
from app.extractive.phrasebook_fr import FRENCH

PHRASEBOOKS: dict[str, Phrasebook] = {book.language: book for book in (ENGLISH, GERMAN, FRENCH, SPANISH)}


def phrasebook(language: str) -> Phrasebook:
    """The phrasebook of a served language (English for any other)."""
    return PHRASEBOOKS.get(language, ENGLISH)
