"""How each prompt tells the model which language to write in: the language's English name and, where known,
the instruction in the language itself (models follow it more reliably)."""

from __future__ import annotations

_LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", "Write all content in English."),
    "de": ("German", "Schreibe alle Inhalte ausschließlich auf Deutsch."),
    "fr": ("French", "Rédige tout le contenu exclusivement en français."),
    "es": ("Spanish", "Escribe todo el contenido exclusivamente en español."),
    "it": ("Italian", "Scrivi tutti i contenuti esclusivamente in italiano."),
    "pt": ("Portuguese", "Escreva todo o conteúdo exclusivamente em português."),
    "nl": ("Dutch", "Schrijf alle inhoud uitsluitend in het Nederlands."),
    "pl": ("Polish", "Pisz całą treść wyłącznie po polsku."),
    "sv": ("Swedish", "Skriv allt innehåll enbart på svenska."),
    "tr": ("Turkish", "Tüm içeriği yalnızca Türkçe yaz."),
    "ru": ("Russian", "Пиши весь текст только на русском языке."),
    "uk": ("Ukrainian", "Пиши весь текст лише українською мовою."),
    "ja": ("Japanese", "すべての内容を日本語のみで書いてください。"),
    "zh": ("Chinese", "请只用中文撰写所有内容。"),
    "ko": ("Korean", "모든 내용을 한국어로만 작성하세요."),
    "ar": ("Arabic", "اكتب كل المحتوى باللغة العربية فقط."),
    "hi": ("Hindi", "सारी सामग्री केवल हिंदी में लिखें।"),
}


def language_name(tag: str) -> str:
    base = tag.split("-", 1)[0].lower()
    return _LANGUAGES.get(base, (tag, ""))[0]


def language_instruction(tag: str) -> str:
    """The language instruction every prompt carries: in English, then in the language itself where known."""
    base = tag.split("-", 1)[0].lower()
    name, native = _LANGUAGES.get(base, (tag, ""))
    english = f"Write all content in {name} (language tag {tag}), including every title, question and answer."
    return f"{english} {native}".strip() if base != "en" else english
