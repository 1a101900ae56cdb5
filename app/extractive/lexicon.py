"""Words, per language: which ones carry content, and the dictionary form each is counted under.

Lemmas come from ``simplemma`` (dictionaries for 50 languages inside the package, no model to download),
stopwords from the lists the YAKE authors publish (inside ``yake-rust``), with the English lists of
``app.extractive.stopwords`` added for English. A term's identity (``Keyphrase.key``) is its words' lemmas, so
"cells" and "cell", "Wassers" and "Wasser" are one term.
"""

from __future__ import annotations

import functools
import re

import simplemma
from yake_rust import Yake

from app.extractive.stopwords import FUNCTION_WORDS, STOPWORDS


def listed_words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TOKEN = re.compile(r"[^\W_](?:[\w'’\-]*[^\W_])?")
# French elision: "l'usine" is the article and the noun ("l", "usine"), as "d'eau", "qu'il", "jusqu'à".
_ELISION = re.compile(r"\b([LlDdJjMmNnSsTtCc]|[Qq]u|[Jj]usqu|[Ll]orsqu|[Pp]uisqu)['’](?=[^\W\d_])")
# What stands right before a noun: a term of these languages is a noun phrase, which one of them opens.
DETERMINERS = {
    "fr": listed_words("le la les l un une des du au aux ce cet cette ces son sa ses leur leurs notre nos votre vos"),
    "es": listed_words("el la los las lo un una unos unas del al este esta estos estas ese esa esos esas su sus"),
}
# Endings of an infinitive: a word whose lemma is an infinitive and differs from it is a conjugated verb.
_INFINITIVES = {"fr": ("er", "ir", "re", "oir"), "es": ("ar", "er", "ir"), "de": ("en", "ern", "eln")}
# Units, measures and counting words: never a term to teach, however often a text uses them ("Prozent").
MEASURES = {
    "en": listed_words(
        "percent per cent year century decade minute second hour day week month kilometre kilometer metre meter "
        "kilogram gram litre liter degree million billion thousand hundred time times"
    ),
    "de": listed_words(
        "prozent jahr jahrzehnt jahrhundert minute sekunde stunde tag woche monat kilometer meter zentimeter "
        "kilogramm gramm liter grad million milliarde tausend hundert mal"
    ),
    "fr": listed_words(
        "pourcentage an année décennie siècle minute second seconde heure jour semaine mois kilomètre mètre centimètre "
        "kilogramme gramme litre degré million milliard millier centaine fois"
    ),
    "es": listed_words(
        "porcentaje año década siglo minuto segundo segunda hora día semana mes kilómetro metro centímetro kilogramo "
        "gramo litro grado millón millones mil centenar vez veces"
    ),
}

# Nouns too general to teach on their own ("auf diese Weise", "en partie", "a menudo"); English has its list in
# ``stopwords.GENERIC``.
GENERIC = {
    "de": listed_words(
        "weise art teil fall beispiel zeit grund form rolle anteil menge reihe ende anfang seite punkt frage bereich "
        "möglichkeit zusammenhang folge ergebnis entwicklung bedeutung zahl größe begriff thema"
    ),
    "fr": listed_words(
        "façon manière partie exemple cas temps raison forme rôle part ensemble moitié fin début côté point question "
        "domaine possibilité résultat développement importance nombre taille terme sujet chose"
    ),
    "es": listed_words(
        "manera modo forma parte ejemplo caso tiempo razón papel conjunto mitad final principio lado punto cuestión "
        "ámbito posibilidad resultado desarrollo importancia número tamaño término tema cosa"
    ),
}

_LY_NOUNS = frozenset(
    ("ally", "anomaly", "assembly", "family", "italy", "july", "monopoly", "poly", "rally", "reply", "supply")
)


def listed(text: str) -> frozenset[str]:
    """A word list written as one string, one space between words."""
    return listed_words(text)


@functools.cache
def stopwords(language: str) -> frozenset[str]:
    published: set[str] = Yake(language=language).stopwords if language in ("en", "de", "fr", "es") else set()
    words = {w.lower() for w in published}
    if language == "en":
        words |= FUNCTION_WORDS | STOPWORDS
    return frozenset(words)


@functools.lru_cache(maxsize=131_072)  # a text repeats its words: each is looked up once
def lemma(word: str, language: str = "en") -> str:
    """The dictionary form of a word, lower case ("Wassers" -> "wasser", "cells" -> "cell")."""
    lower = word.lower().replace("’", "'")
    if language == "en" and lower.endswith("'s"):
        lower = lower[:-2]
    if not lower.isalpha() or len(lower) < 3:
        return lower
    try:
        found: str = simplemma.lemmatize(lower, lang=language)
    except ValueError:  # a language simplemma has no dictionary for: the word stands as written
        return lower
    return found.lower()


def is_content(token: str, position: int, language: str = "en") -> bool:
    """Whether a word can be part of a term: not a stopword, not a number or a fragment; a capitalised
    stopword inside an English sentence is a name ("The Third Estate")."""
    lower = token.lower()
    if len(token) > 40 or not any(ch.isalpha() for ch in token) or any(ch.isdigit() for ch in token):
        return False
    if lower in stopwords(language):
        return language == "en" and position > 0 and token[0].isupper() and lower not in FUNCTION_WORDS
    if len(lower) < 3 and not token.isupper():
        return False
    if language == "en":
        named = position > 0 and token[0].isupper()
        return not (lower.endswith("ly") and len(lower) > 4 and lower not in _LY_NOUNS and not named)
    return True


def verb_like(token: str, language: str) -> bool:
    """A conjugated verb, as far as a dictionary can tell: its lemma is an infinitive and it is not that
    infinitive ("permet" -> "permettre", "tarda" -> "tardar", "verdunstet" -> "verdunsten")."""
    endings = _INFINITIVES.get(language)
    if endings is None or (language == "de" and token[:1].isupper()):
        return False  # German nouns are capitalised, its verbs are not
    lower = token.lower()
    base = lemma(lower, language)
    return base != lower and base.endswith(endings)


def words(text: str) -> list[str]:
    """The word tokens of a text, as written (hyphenated words and contractions stay whole; a French elided
    article stands apart: "l'usine" -> "l", "usine")."""
    return _TOKEN.findall(_ELISION.sub(r"\1 ", text) if "'" in text or "’" in text else text)
