"""Which language a source is in (``py3langid``: a small Naive Bayes model over 97 languages, shipped inside the
package), which ones the offline engine serves, and the words each uses to refer back to what came before.

The model is loaded once per process, on first use (about a second, off the event loop: the engine's check and
steps run in worker threads). A text too short to tell, or that the model is unsure of, is taken to be in the
language the request names.
"""

from __future__ import annotations

import threading
from typing import Any

SERVED = ("en", "de", "fr", "es")  # the languages whose phrasebooks the offline engine has
MIN_WORDS = 30  # fewer words than this, and a text is taken at its request's word
MIN_CHARS = 200  # or fewer characters than this
MIN_CONFIDENCE = 0.8  # long texts score near 1.0; Chinese on a few sentences about 0.8
SAMPLE_CHARS = 6_000

NAMES = {
    "ar": "Arabic", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch",
    "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sv": "Swedish",
    "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip


def _words(listed: str) -> list[str]:
    return listed.split()


# Words that open a sentence whose subject is in the sentence before ("It absorbs red light."). Lower case;
# a sentence opening with one is joined to the one before it, or not used where it must stand alone.
REFERRING = {
    "en": frozenset(_words("it its this these those they their them such he she his her that")),
    "de": frozenset(
        _words("es dies diese dieser dieses diesen diesem sie er sein seine seiner seinen ihr ihre ihrer ihren solche")
    ),
    "fr": frozenset(_words("il elle ils elles cela ceci ça c ce cet cette ces son sa ses leur leurs celui celle")),
    "es": frozenset(_words("esto esta este estos estas ello su sus dicho dicha dichos dichas ella ellos ellas")),
}
# Openings that look referring but are not ("It is said that", "Il y a", "Es gibt"): kept as they stand.
IMPERSONAL = {
    "en": (),  # "It is …" nearly always means something named before
    "de": ("es gibt", "es ist wichtig", "es ist möglich", "es ist nötig", "es lässt sich", "es kommt"),
    "fr": (
        "il y a", "il faut", "il s'agit", "il s’agit", "il existe", "il est possible", "il est important",
        "il est nécessaire", "il est difficile", "il est probable", "il était une fois",
    ),
    "es": ("esto es", "es decir"),
}  # fmt: skip


def name(code: str) -> str:
    """ "German (de)", or the code alone when the name is not known here."""
    known = NAMES.get(code)
    return f"{known} ({code})" if known else code


def primary(tag: str | None) -> str:
    """The primary subtag of a language tag: "en-GB" -> "en"."""
    return (tag or "en").strip().lower().replace("_", "-").split("-", 1)[0]


def detect(text: str) -> str | None:
    """The language of a text (an ISO 639-1 code), or ``None`` when it is too short to tell or the model is
    unsure: the caller then goes by the request."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.split()) < MIN_WORDS and len(sample) < MIN_CHARS:  # Chinese or Japanese write no spaces
        return None
    language, confidence = _identifier().classify(sample)
    return str(language) if confidence >= MIN_CONFIDENCE else None


def warm_up() -> None:
    """Load the model now (a worker thread at start-up), so that the first request does not wait for it."""
    _identifier()


_loaded: Any = None
_lock = threading.Lock()


def _identifier() -> Any:
    global _loaded
    with _lock:
        if _loaded is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _loaded = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _loaded
