"""``python -m scripts.quality``: the offline engine's output on every fixture text, checked for the defects an
expert found in it — markup left in the text, sentences that refer back to one that is not there, a podcast host
who says the same line again, fill-in-the-blank cards whose blank is a trivial word, reading questions with no
answer or passage, quiz questions whose answer is not among the options, whose options say the same thing twice
("cell" and "cells") or whose question gives the answer away. Prints counts per artifact type and rule, and the
engine's CPU seconds per text; asserts nothing.

The detectors are pure functions over an artifact's content as JSON (``model_dump(mode="json")``), so they judge
any generator's output, not only the offline engine's.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.content.catalogue import ArtifactOptions, ArtifactType, artifact_types
from app.content.generator import GenerationInput, GenerationTask, PermanentGenerationError
from app.content.models import Outline
from app.errors import Unprocessable
from app.extractive import ExtractiveGenerator

TEXTS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "texts"
SUFFIXES = (".txt", ".md", ".rst")
LANGUAGES = ("en", "de", "fr", "es")

MARKUP_RESIDUE = "markup_residue"
UNRESOLVED_REFERENCE = "unresolved_reference"
REPEATED_HOST_LINE = "repeated_host_line"
TRIVIAL_BLANK = "trivial_blank"
UNANSWERED_QUESTION = "unanswered_question"
MISSING_ANSWER = "missing_answer"
SAME_OPTION = "same_option"
GIVEN_AWAY = "answer_given_away"
RULES = (
    MARKUP_RESIDUE,
    UNRESOLVED_REFERENCE,
    REPEATED_HOST_LINE,
    TRIVIAL_BLANK,
    UNANSWERED_QUESTION,
    MISSING_ANSWER,
    SAME_OPTION,
    GIVEN_AWAY,
)


@dataclass(frozen=True, slots=True)
class Defect:
    artifact: str  # the artifact type ("flashcards")
    field: str  # the path of the value inside the artifact ("cards[3].back")
    rule: str  # one of RULES
    text: str  # what was found, with enough of the value around it to see why


def _wordset(listed: str) -> frozenset[str]:
    return frozenset(listed.split())


def language_of(tag: str | None) -> str:
    """``"de-DE"`` -> ``"de"``; a language without word lists here is judged with the English ones."""
    code = (tag or "en").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else "en"


def _excerpt(text: str, start: int = 0, end: int | None = None, width: int = 50) -> str:
    end = start if end is None else end
    lo, hi = max(0, start - width), min(len(text), end + width)
    piece = " ".join(text[lo:hi].split())
    return f"{'…' if lo else ''}{piece}{'…' if hi < len(text) else ''}"


def _clip(text: str, limit: int = 110) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string a learner reads inside a JSON value, with its path (``sections[0].key_points[2]``). Evidence
    is left out: its quotes are the source's own text, markup and all, by design."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key != "evidence":
                yield from strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from strings(item, f"{path}[{i}]")


def _items(content: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    found = content.get(key)
    return [item for item in found if isinstance(item, Mapping)] if isinstance(found, list) else []


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


# --- markup residue ------------------------------------------------------------------------------------------

_HTML_TAGS = (
    "a abbr article aside b blockquote body br caption center code dd del div dl dt em figcaption figure font "
    "footer h1 h2 h3 h4 h5 h6 head header hr html i iframe img ins kbd li link meta nav ol p pre q s samp script "
    "section small span strong style sub sup table tbody td tfoot th thead title tr tt u ul var"
)
# (what it is, pattern). Each pattern is something prose does not contain: a parenthesis, a colon, a dash or an
# underscore blank ("_____") on its own is never enough.
_MARKUP: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern, re.MULTILINE))
    for label, pattern in (
        ("code fence", r"```|~~~"),
        ("backtick", r"`"),
        # A heading's underline or overline: a run of one punctuation mark, on a line of its own or at either
        # end of the value; inside a line only a run of four or more ("---" is an em dash in plain text).
        ("underline", r"""^[ \t]*([=\-~^"`#*+])\1{2,}[ \t]*$"""),
        ("underline", r"""\A\s*([=\-~^"`#*+])\1{2,}(?=\s|\Z)|(?:(?<=\s)|\A)([=\-~^"`#*+])\2{2,}\s*\Z"""),
        ("underline", r"""(?:(?<=\s)|\A)([=~^"`#*+-])\1{3,}(?=\s|\Z)"""),
        ("heading hashes", r"^[ \t]*#{1,6}[ \t]+\S|(?<=\s)#{2,6}[ \t]+\w"),
        ("code", r"(?<=[\w)\]])[ \t]*\*\*[ \t]*(?=[\w(])"),  # a power, "2 ** n"
        ("emphasis", r"(?<!\*)\*\*(?=[^\s*])|(?<=[^\s*])\*\*(?!\*)|(?<![\w_])__(?=[^\s_])|(?<=[^\s_])__(?![\w_])"),
        ("emphasis", r"(?<![\w*])\*(?=[^\s*])[^*\n]{1,200}(?<=[^\s*])\*(?![\w*])"),
        ("emphasis", r"(?<![\w_])_(?=[^\s_])[^_\n]{1,400}(?<=[^\s_])_(?![\w_])"),
        ("table", r"^[ \t]*\|.*\|[ \t]*$|\|[ \t]*:?-{3,}:?[ \t]*(?:\||$)|\S[ \t]+\|[ \t]+\S"),
        ("footnote marker", r"\[\^?\d{1,3}\]|\[\^\w+\]|\[#\w*\]_|\[\*\]_"),
        ("reST role", r"(?<![\w:]):[A-Za-z][\w-]*:(?=[`\s]|$)"),
        ("reST directive", r"(?:^|(?<=\s))\.\.[ \t]+(?:[a-z][\w-]*::|_[^:\n]+:|\[[^\]\n]+\]|\|[^|\n]+\|)"),
        ("reST literal marker", r"\w::(?=\s|$)"),
        ("reST reference", r"(?<![\w-])[A-Za-z][\w-]*[A-Za-z0-9]_(?![\w])"),
        ("Markdown link", r"\]\((?:https?://|/|#|\.)[^)\s]*\)|!\[[^\]\n]*\]\("),
        ("list bullet", r"^[ \t]*[-*+][ \t]+\S"),
        ("quote marker", r"^[ \t]*>[ \t]+\S"),
        ("HTML tag", rf"</?(?:{'|'.join(_HTML_TAGS.split())})(?:\s[^<>]*)?/?>|<!--|-->"),
        ("HTML entity", r"&(?:[a-zA-Z]{2,8}|#\d{2,5}|#x[0-9a-fA-F]{2,4});"),
        ("code", r"\b(?:print|printf|len|range|sorted|isinstance|enumerate|console\.log|System\.out\.println)\("),
        ("code", r"\blambda\b[^:\n]{0,30}:|\b[A-Za-z_]\w*=(?:None|True|False|null|nil|lambda)\b"),
        ("code", r"(?:^|(?<=[\s;]))def[ \t]+[A-Za-z_]\w*[ \t]*\("),
        ("code", r"^[ \t]*import[ \t]+[a-z_][\w.]*[ \t]*$|\bimport[ \t]+[a-z_][\w.]*[ \t]+as[ \t]+[a-z_]\w*"),
        ("code", r"\bfrom[ \t]+[a-z_][\w.]*[ \t]+import[ \t]+[\w*(]"),
        ("code", r"\bfor[ \t]+[a-z_]\w*[ \t]+in[ \t]+[\w.]+(?:\([^)\n]*\))?[ \t]*:|\bfor [ijknx_] in\b"),
        ("code", r"\bfor[ \t]*\([ \t]*(?:int|var|let|const|auto|size_t)?[ \t]*\w+[ \t]*="),
        ("code", r"\b[A-Za-z_]\w*\.[A-Za-z_]\w*\(|\b[A-Za-z_]\w*\(\)"),
        ("code", r"\b[A-Za-z_]\w*\[[\w \t+\-\"']+\]"),
        ("code", r"\b[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9]\b"),
        ("code", r"=>|(?<![=!<>])==(?!=)|!=|&&|\|\||\s[+\-*/%]=\s|^[ \t]*(?:>>>|\$)[ \t]+[a-z]|#include\b"),
    )
)
_BRACE = re.compile(r"[{}]")


def markup_in(text: str) -> str | None:
    """What markup the text holds, as "what 'the match': excerpt", or None for clean prose."""
    for label, pattern in _MARKUP:
        found = pattern.search(text)
        if found:
            return f"{label} {found.group(0).strip()!r}: {_excerpt(text, found.start(), found.end())}"
    brace = _BRACE.search(text)
    if brace and ";" in text:
        return f"code '{brace.group(0)}' with ';': {_excerpt(text, brace.start(), brace.end())}"
    return None


def markup_residue(artifact: str, content: Mapping[str, Any]) -> list[Defect]:
    """Every string of the artifact that still holds markup or code, one defect per field."""
    out: list[Defect] = []
    for path, value in strings(content):
        found = markup_in(value)
        if found:
            out.append(Defect(artifact, path, MARKUP_RESIDUE, found))
    return out


# --- unresolved references -----------------------------------------------------------------------------------

# Words that open a sentence whose subject is in a sentence before it.
REFERRING: dict[str, frozenset[str]] = {
    "en": _wordset("it its this these those they them their theirs such that he she his her"),
    "de": _wordset(
        "es dies diese dieser dieses diesem diesen sie er ihm ihn sein seine seiner seines seinem seinen ihr ihre "
        "ihrer ihres ihrem ihren solch solche solcher solches solchem solchen jene jener jenes jenem jenen "
        "dessen deren derartige"
    ),
    "fr": _wordset(
        "il elle ils elles cela ceci ça ce cet cette ces son sa ses leur leurs celui celle ceux celles "
        "celui-ci celle-ci ceux-ci celles-ci lui"
    ),
    "es": _wordset(
        "esto esta este estos estas ésta éste éstos éstas eso esa ese esos esas aquel aquella aquello aquellos "
        "aquellas ello él ella ellos ellas su sus dicho dicha dichos dichas tal tales"
    ),
}
_FR_IMPERSONAL_ADJ = (
    "possible impossible nécessaire important essentiel indispensable probable improbable difficile facile clair "
    "vrai faux évident certain utile inutile intéressant rare fréquent courant normal naturel temps question bon "
    "préférable souhaitable logique étonnant surprenant connu admis interdit permis crucial primordial "
    "fondamental vraisemblable"
)
_FR_ADVERBS = (
    "très donc aussi alors parfois souvent également bien peu généralement toujours encore plus moins "
    "pourtant cependant néanmoins tout fort assez particulièrement"
)
_DE_IMPERSONAL_ADJ = (
    "möglich unmöglich wichtig notwendig nötig klar unklar bekannt wahrscheinlich unwahrscheinlich schwierig "
    "schwer leicht einfach sinnvoll üblich interessant erforderlich umstritten fraglich unbestritten richtig "
    "falsch wahr nützlich ratsam typisch bemerkenswert auffällig denkbar selten häufig"
)
_DE_ADVERBS = "sehr daher also auch oft jedoch durchaus kaum besonders nicht allgemein"
_DE_DAS_VERBS = "ist war sind waren bedeutet heißt zeigt liegt führt macht gilt hat kann wird erklärt"


def _words(listed: str) -> str:
    return "|".join(listed.split())


# Openings that start with a referring word but refer to nothing ("Il y a", "Es gibt", "Those who").
_NOT_REFERRING: dict[str, re.Pattern[str]] = {
    "en": re.compile(r"(?:those|they) who\b|such as\b|that is to say\b"),
    "de": re.compile(
        rf"es (?:gibt|gab|geben|sei denn)\b|es (?:ist|war|wäre|scheint|bleibt|wird) (?:(?:{_words(_DE_ADVERBS)}) )*"
        rf"(?:{_words(_DE_IMPERSONAL_ADJ)})\b|"
        r"es (?:wird|wurde|werden|wurden) (?:kein|keine|ein|eine|viel|mehr|weniger|nur|dabei|dann|hier)\b"
    ),
    "fr": re.compile(
        r"il (?:n'|ne )?(?:y |faut|fallait|faudra|faudrait|existe|existait|suffit|reste|semble|paraît|arrive|"
        r"convient|importe|vaut mieux|se peut|pleut)|"
        rf"il (?:est|était|sera|serait|devient|semble) (?:(?:{_words(_FR_ADVERBS)}) )*"
        rf"(?:{_words(_FR_IMPERSONAL_ADJ)})\b|"
        r"(?:ce|celui|celle|ceux|celles) (?:qui|que|qu'|dont)"
    ),
    "es": re.compile(r"tal (?:vez|como|y como)\b"),
}
_DAS_REFERS = re.compile(rf"das (?:{_words(_DE_DAS_VERBS)})\b")
_OPENING = re.compile(r"^[\W_]*?([^\W\d_]+(?:-[^\W\d_]+)?)(['’])?", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”»)]*\s+")


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def refers_back(sentence: str, language: str = "en") -> bool:
    """Whether the sentence opens with a word that points at something said before it."""
    lang = language_of(language)
    found = _OPENING.match(sentence)
    if not found:
        return False
    word = found.group(1)
    if len(word) > 1 and word.isupper():
        return False  # an acronym ("IT", "ES"), not a pronoun
    key = word.casefold()
    if lang == "fr" and found.group(2) and key == "c":
        key = "ce"  # "C'est …"
    start = " ".join(sentence[found.start(1) :].casefold().replace("’", "'").split())
    if lang == "de" and key == "das":
        return bool(_DAS_REFERS.match(start))  # "Das ist …" points back; "Das Enzym …" is an article
    if key not in REFERRING[lang]:
        return False
    if lang == "de" and key == "es" and _plural_verb(sentence[found.end(1) :]):
        return False  # "Es entstehen zwei Zellen": a stand-in for the subject that follows, not a pronoun
    return not _NOT_REFERRING[lang].match(start)


def _plural_verb(rest: str) -> bool:
    words = rest.split()
    return bool(words) and words[0].islower() and words[0].endswith("en") and len(words[0]) > 3


def standalone_fields(artifact: str, content: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """The values a reader meets on their own, with no sentence before them."""
    if artifact == ArtifactType.FLASHCARDS:
        for i, card in enumerate(_items(content, "cards")):
            yield f"cards[{i}].back", _text(card, "back")
    elif artifact == ArtifactType.FAQ:
        for i, item in enumerate(_items(content, "items")):
            yield f"items[{i}].answer", _text(item, "answer")
    elif artifact == ArtifactType.STUDY_GUIDE:
        for i, concept in enumerate(_items(content, "key_concepts")):
            yield f"key_concepts[{i}].explanation", _text(concept, "explanation")
    elif artifact == ArtifactType.OUTLINE:
        for i, section in enumerate(_items(content, "sections")):
            yield f"sections[{i}].summary", _text(section, "summary")
            points = section.get("key_points")
            for j, point in enumerate(points if isinstance(points, list) else []):
                if isinstance(point, str):
                    yield f"sections[{i}].key_points[{j}]", point
    elif artifact == ArtifactType.QUIZ:
        for i, question in enumerate(_items(content, "questions")):
            yield f"questions[{i}].explanation", _text(question, "explanation")
    elif artifact == ArtifactType.ONE_PAGER:
        takeaways = content.get("key_takeaways")
        for j, point in enumerate(takeaways if isinstance(takeaways, list) else []):
            if isinstance(point, str):
                yield f"key_takeaways[{j}]", point


def unresolved_reference(artifact: str, content: Mapping[str, Any], language: str = "en") -> list[Defect]:
    """Standalone values whose first sentence opens with a word that refers back."""
    out: list[Defect] = []
    for path, value in standalone_fields(artifact, content):
        sentence = first_sentence(value)
        if sentence and refers_back(sentence, language):
            out.append(Defect(artifact, path, UNRESOLVED_REFERENCE, _clip(sentence)))
    return out


# --- repeated host lines -------------------------------------------------------------------------------------

TERM = "_term_"  # what a key term in a host line is read as
_TOKEN = re.compile(rf"{TERM}|[^\W_]+(?:'[^\W_]+)?")


def _template_tokens(line: str, terms: Sequence[str]) -> list[str]:
    text = " ".join(line.casefold().replace("’", "'").split())
    for term in sorted({t.casefold().strip() for t in terms if t.strip()}, key=len, reverse=True):
        text = re.sub(rf"(?:\b(?:the|a|an) )?(?<!\w){re.escape(term)}(?!\w)", f" {TERM} ", text)
    return _TOKEN.findall(text)


def same_template(a: Sequence[str], b: Sequence[str]) -> bool:
    """Two lines of words are one template when they are equal, or differ only in one run of words in the middle
    (the term put in it): the words they share at the start and end are at least three and half the longer."""
    if list(a) == list(b):
        return True
    shortest = min(len(a), len(b))
    prefix = 0
    while prefix < shortest and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    shared = prefix + suffix
    return shared >= 3 and 2 * shared >= max(len(a), len(b))


def host_names(content: Mapping[str, Any]) -> set[str]:
    return {
        _text(s, "name")
        for s in _items(content, "speakers")
        if "presenter" in _text(s, "role").casefold() or _text(s, "name").casefold() == "host"
    }


def repeated_host_line(artifact: str, content: Mapping[str, Any], terms: Iterable[str] = ()) -> list[Defect]:
    """Host lines that say again what an earlier host line said, or the same template with another term in it;
    each repetition beyond the first is one defect. ``terms`` (the source's key terms) are read as one slot."""
    if artifact != ArtifactType.PODCAST_SCRIPT:
        return []
    hosts = host_names(content)
    known = list(terms)
    earlier: list[tuple[int, list[str]]] = []
    out: list[Defect] = []
    for i, segment in enumerate(_items(content, "segments")):
        if _text(segment, "speaker") not in hosts:
            continue
        line = _text(segment, "text")
        tokens = _template_tokens(line, known)
        if not tokens:
            continue
        match = next((j for j, before in earlier if same_template(tokens, before)), None)
        if match is not None:
            out.append(
                Defect(artifact, f"segments[{i}].text", REPEATED_HOST_LINE, f"{_clip(line)} (as segments[{match}])")
            )
        earlier.append((i, tokens))
    return out


# --- trivial blanks ------------------------------------------------------------------------------------------

STOPWORDS: dict[str, frozenset[str]] = {
    "en": _wordset(
        """a about above after again against all also although am an and another any are as at be because been
        before being below between both but by can cannot could did do does doing down during each either else
        enough even ever every few for from further had has have having he her here hers herself him himself his
        how however i if in into is it its itself just least less many may me might more most much must my
        myself neither never no nor not now of off often on once only onto or other our ours out over own per
        quite rather same she should since so some still such than that the their theirs them themselves then
        there therefore these they this those though through thus to too under unless until up upon us very via
        was we well were what when where whether which while who whom whose why will with within without would
        yet you your yours"""
    ),
    "de": _wordset(
        """aber alle allem allen aller alles als also am an andere anderen auch auf aus bei beim bin bis bist da
        dabei damit dann das dass daß dem den denen denn der deren des dessen die dies diese diesem diesen dieser
        dieses doch dort du durch ein eine einem einen einer eines er es etwa euch für gegen hat hatte hatten
        haben hier ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im immer in ins ist ja jede jedem jeden
        jeder jedes jedoch jene kann kein keine man manche mehr mit muss nach nicht noch nun nur ob oder ohne
        schon sehr sein seine seinem seinen seiner seines sich sie sind so solche soll sondern sowie über um und
        uns unser unter viel vom von vor war waren was weil welche welchem welchen welcher welches wenn wer wie
        wir wird wo wurde wurden zu zum zur zwischen"""
    ),
    "fr": _wordset(
        """à afin ainsi alors au aucun aussi autre aux avant avec avoir bien c ça car ce ceci cela celle celles
        celui ces cet cette ceux chaque comme comment d dans de des donc dont du elle elles en encore entre est et
        été être eu il ils j je l la le les leur leurs lui m ma mais me même mes moi mon n ne ni nos notre nous on
        ont ou où par parce pas peu peut plus pour pourquoi quand que quel quelle quels qu qui s sa sans se ses si
        son sont sous sur t ta te tes toi ton tous tout toute toutes très tu un une vos votre vous y"""
    ),
    "es": _wordset(
        """a al algo algún alguna algunas alguno algunos ante antes así aunque bajo bien cada como con contra
        cual cuales cuando de del desde donde durante e el él ella ellas ello ellos en entre era eran es esa
        esas ese eso esos esta está están estas este esto estos fue fueron ha han hasta hay la las le les lo los
        más me mi mientras muy nada ni no nos nosotros o otra otras otro otros para pero poco por porque que qué
        quien se sea ser si sí sin sino sobre su sus tal también tan tanto te todo todos tu un una unas uno unos
        y ya yo"""
    ),
}
NUMBER_WORDS: dict[str, frozenset[str]] = {
    "en": _wordset(
        """zero one two three four five six seven eight nine ten eleven twelve thirteen fifteen twenty thirty
        forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands million millions billion
        billions half dozen first second third fourth fifth once twice"""
    ),
    "de": _wordset(
        """null eins ein eine zwei drei vier fünf sechs sieben acht neun zehn elf zwölf zwanzig dreißig hundert
        tausend million millionen milliarde milliarden hälfte dutzend erste erster zweite zweiter dritte dritter
        einmal zweimal"""
    ),
    "fr": _wordset(
        """zéro un une deux trois quatre cinq six sept huit neuf dix onze douze vingt trente quarante cinquante
        cent cents mille million millions milliard milliards moitié douzaine premier première deuxième
        troisième second seconde"""
    ),
    "es": _wordset(
        """cero uno una dos tres cuatro cinco seis siete ocho nueve diez once doce veinte treinta cuarenta
        cincuenta cien ciento mil millón millones mitad docena primero primera segundo segunda tercero tercera
        tercer"""
    ),
}
UNITS = _wordset(
    """% ‰ ° °c °f k m km cm mm µm μm nm kg g mg µg t l ml s ms µs ns min h hz khz mhz ghz j kj cal kcal w kw mw
    gw v mv a ma pa kpa hpa bar atm mol b kb mb gb tb bit bits byte bytes kbps mbps gbps rpm mph km/h m/s
    percent prozent degree degrees grad degré degrés grado grados metre metres meter meters mètre mètres metro
    metros kilometre kilometres kilometer kilometers kilomètre kilomètres kilómetro kilómetros second seconds
    sekunde sekunden seconde secondes segundo segundos minute minutes minuten minuto minutos hour hours stunde
    stunden heure heures hora horas day days tag tage jour jours día días week weeks woche wochen semaine
    semaines semana semanas month months monat monate mois mes meses year years jahr jahre an ans année années
    año años kilogram kilograms kilogramm kilogramme kilogrammes kilogramo kilogramos gram grams gramm gramme
    grammes gramo gramos litre litres liter liters litro litros volt volts watt watts joule joules kelvin
    celsius fahrenheit millisecond milliseconds millisekunden milliseconde millisecondes milisegundo
    milisegundos"""
)
_MULTIWORD_UNITS = frozenset({"per cent", "pour cent", "por ciento"})
MONTHS = _wordset(
    """january february march april may june july august september october november december jan feb mar apr
    jun jul aug sep sept oct nov dec januar februar märz mai juni juli oktober dezember janvier février mars
    avril juin juillet août septembre octobre novembre décembre enero febrero marzo abril mayo junio julio
    agosto septiembre octubre noviembre diciembre"""
)
WEEKDAYS = _wordset(
    """monday tuesday wednesday thursday friday saturday sunday montag dienstag mittwoch donnerstag freitag
    samstag sonntag lundi mardi mercredi jeudi vendredi samedi dimanche lunes martes miércoles jueves viernes
    sábado domingo"""
)
_ERAS = _wordset("century centuries jahrhundert jahrhunderts siècle siècles siglo siglos")
_DATE_GLUE = _wordset("of the de del le am den der el in im en ad bc bce ce v chr n")
_NUMBER = re.compile(r"[+\-−±~≈]?\d[\d\s.,'’]*(?:%|‰)?")
_QUANTITY = re.compile(r"([+\-−±~≈]?\d[\d.,]*)\s*(\S.*)")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th|e|er|ère|re|º|ª|\.)?")
_ROMAN = re.compile(r"(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")
_NUMERIC_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}(?:[./-]\d{1,4})?|\d{3,4}(?:s|er|'s)")
_BLANK = re.compile(r"_{3,}")
_EDGES = " \t\n.,;:!?\"'()[]«»“”„‘’¿¡"


def _tokens(answer: str) -> list[str]:
    return answer.strip(_EDGES).casefold().replace("’", "'").split()


def is_number(answer: str, language: str = "en") -> bool:
    """Digits ("1,350", "3.5%"), a number with its unit ("20 km"), or number words ("two", "zwei")."""
    text = answer.strip(_EDGES).casefold()
    if not text:
        return False
    if _NUMBER.fullmatch(text):
        return True
    tokens = text.split()
    words = NUMBER_WORDS[language_of(language)]
    if all(t in words or _NUMBER.fullmatch(t) for t in tokens):
        return True
    quantity = _QUANTITY.fullmatch(text)
    if quantity and is_unit(quantity.group(2)):
        return True
    head, _, unit = text.partition(" ")
    return head in words and is_unit(unit)


def is_unit(answer: str) -> bool:
    text = " ".join(answer.strip(_EDGES).casefold().split())
    return text in UNITS or text in _MULTIWORD_UNITS


def is_date(answer: str) -> bool:
    """A year, a day, a month, a weekday or a century ("1789", "14 July 1789", "14. Juli", "the 18th century")."""
    text = answer.strip(_EDGES).casefold()
    if _NUMERIC_DATE.fullmatch(text):
        return True
    tokens = [t.strip(".,") or t for t in text.split()]
    if not tokens:
        return False
    anchored = False
    for token in tokens:
        if token in MONTHS or token in WEEKDAYS or token in _ERAS or re.fullmatch(r"\d{3,4}", token):
            anchored = True
        elif not (token in _DATE_GLUE or _ORDINAL.fullmatch(token) or _ROMAN.fullmatch(token)):
            return False
    return anchored


def is_stopword(answer: str, language: str = "en") -> bool:
    tokens = _tokens(answer)
    return bool(tokens) and all(t in STOPWORDS[language_of(language)] for t in tokens)


def trivial_answer(answer: str, language: str = "en") -> str | None:
    """Why a blank's answer is not worth asking for: None when it is."""
    tokens = _tokens(answer)
    if not tokens:
        return "empty"
    if is_stopword(answer, language):
        return "a stopword"
    if is_number(answer, language):
        return "a number"
    if is_unit(answer):
        return "a unit"
    if is_date(answer):
        return "a date"
    stripped = answer.strip()
    acronym = stripped.isupper() and 2 <= len(stripped) <= 5 and stripped.isalpha()  # "ATP", "DNA", "TCP"
    if len(tokens) == 1 and len(tokens[0]) <= 3 and not acronym:
        return "a token of three characters or fewer"
    return None


_QUIZ_ANSWERS = ("a number", "a unit", "a date")  # a quiz asks for figures and years, against others of their kind


def trivial_blank(artifact: str, content: Mapping[str, Any], language: str = "en") -> list[Defect]:
    """Cloze cards whose answer is trivial; quiz answers that are a stopword or a slight word; study-guide terms
    that are only a stopword or a number."""
    out: list[Defect] = []
    if artifact == ArtifactType.FLASHCARDS:
        for i, card in enumerate(_items(content, "cards")):
            front, back = _text(card, "front"), _text(card, "back")
            if not _BLANK.search(front):
                continue
            why = trivial_answer(back, language)
            if why:
                out.append(Defect(artifact, f"cards[{i}].back", TRIVIAL_BLANK, f"{back!r} is {why}: {_clip(front)}"))
    elif artifact == ArtifactType.QUIZ:
        for i, question in enumerate(_items(content, "questions")):
            options, index = question.get("options"), question.get("answer_index")
            if not (isinstance(options, list) and isinstance(index, int) and 0 <= index < len(options)):
                continue  # quiz_defects reports it
            answer = options[index] if isinstance(options[index], str) else ""
            why = trivial_answer(answer, language)
            if why is not None and why not in _QUIZ_ANSWERS:
                text = f"{answer!r} is {why}: {_clip(_text(question, 'question'))}"
                out.append(Defect(artifact, f"questions[{i}].options[{index}]", TRIVIAL_BLANK, text))
    elif artifact == ArtifactType.STUDY_GUIDE:
        for i, concept in enumerate(_items(content, "key_concepts")):
            term = _text(concept, "term")
            if is_stopword(term, language) or is_number(term, language):
                out.append(Defect(artifact, f"key_concepts[{i}].term", TRIVIAL_BLANK, f"{term!r} is no concept"))
    return out


# --- unanswered reading questions ----------------------------------------------------------------------------


def unanswered_question(artifact: str, content: Mapping[str, Any]) -> list[Defect]:
    """Reading questions without a non-empty answer or without the passage they are about (a field the model
    does not have is missing too)."""
    if artifact != ArtifactType.READING_QUESTIONS:
        return []
    out: list[Defect] = []
    for i, question in enumerate(_items(content, "questions")):
        lacking = [key for key in ("answer", "passage") if not _text(question, key).strip()]
        if lacking:
            text = f"no {' and no '.join(lacking)}: {_clip(_text(question, 'question'))}"
            out.append(Defect(artifact, f"questions[{i}]", UNANSWERED_QUESTION, text))
    return out


# --- quiz questions ------------------------------------------------------------------------------------------

# What a word may add to be another form of the same word: the plural and case endings of each language.
_ENDINGS: dict[str, tuple[str, ...]] = {
    "en": ("s", "es"),
    "de": ("e", "n", "en", "s", "es", "er", "ern", "nen"),
    "fr": ("s", "x"),
    "es": ("s", "es"),
}
_LEADING_ARTICLES: dict[str, frozenset[str]] = {
    "en": _wordset("the a an"),
    "de": _wordset("der die das den dem des ein eine einen einem einer eines"),
    "fr": _wordset("le la les l un une des du de d"),
    "es": _wordset("el la los las lo un una unos unas del"),
}
_OPTION_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W_]+(?:-[^\W_]+)*")


def option_words(text: str, language: str = "en") -> list[str]:
    """An option's words, lower case, without a leading article ("The Calvin cycle" -> ["calvin", "cycle"]; an
    apostrophe parts words, so "l'usine" is ["usine"])."""
    found = _OPTION_WORD.findall(text.casefold())
    articles = _LEADING_ARTICLES[language_of(language)]
    while len(found) > 1 and found[0] in articles:
        found = found[1:]
    return found


def same_word(a: str, b: str, language: str = "en") -> bool:
    """Two forms of one word: equal, or one is the other with a plural or case ending ("cell", "cells";
    "Zelle", "Zellen"; "body", "bodies")."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) < 3:
        return False
    lang = language_of(language)
    if lang == "en" and short.endswith("y") and long == short[:-1] + "ies":
        return True
    return any(long == short + ending for ending in _ENDINGS[lang])


def same_words(a: Sequence[str], b: Sequence[str], language: str = "en") -> bool:
    return len(a) == len(b) > 0 and all(same_word(x, y, language) for x, y in zip(a, b, strict=True))


def quiz_defects(artifact: str, content: Mapping[str, Any], language: str = "en") -> list[Defect]:
    """Quiz questions whose answer_index is not one of their options, whose options say one thing twice (the same
    words, or another form of them: "Cell" and "cells"), or whose question holds the correct option."""
    if artifact != ArtifactType.QUIZ:
        return []
    out: list[Defect] = []
    for i, item in enumerate(_items(content, "questions")):
        question = _text(item, "question")
        listed = item.get("options")
        options = [o for o in listed if isinstance(o, str)] if isinstance(listed, list) else []
        index = item.get("answer_index")
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(options):
            text = f"answer_index {index!r} of {len(options)} options: {_clip(question)}"
            out.append(Defect(artifact, f"questions[{i}].answer_index", MISSING_ANSWER, text))
            index = None
        forms = [option_words(o, language) for o in options]
        for j in range(len(options)):
            twin = next((k for k in range(j) if same_words(forms[j], forms[k], language)), None)
            if twin is not None:
                text = f"{options[j]!r} says what {options[twin]!r} says: {_clip(question)}"
                out.append(Defect(artifact, f"questions[{i}].options[{j}]", SAME_OPTION, text))
        if index is not None:
            answer, asked = forms[index], option_words(question, language)
            size = len(answer)
            if any(same_words(answer, asked[k : k + size], language) for k in range(len(asked) - size + 1)):
                text = f"{options[index]!r} is in the question: {_clip(question)}"
                out.append(Defect(artifact, f"questions[{i}].question", GIVEN_AWAY, text))
    return out


# --- one job's artifacts -------------------------------------------------------------------------------------


def key_terms(artifacts: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The terms the artifacts name: the study guide's key concepts and the outline's section titles."""
    terms = [_text(c, "term") for c in _items(artifacts.get(ArtifactType.STUDY_GUIDE) or {}, "key_concepts")]
    terms += [_text(s, "title") for s in _items(artifacts.get(ArtifactType.OUTLINE) or {}, "sections")]
    return [t for t in terms if t]


def defects_of(artifacts: dict[str, dict[str, Any]], language: str) -> list[Defect]:
    """Every rule over one job's artifacts (keyed by type name, content as JSON)."""
    terms = key_terms(artifacts)
    out: list[Defect] = []
    for artifact, content in artifacts.items():
        out += markup_residue(artifact, content)
        out += unresolved_reference(artifact, content, language)
        out += repeated_host_line(artifact, content, terms)
        out += trivial_blank(artifact, content, language)
        out += unanswered_question(artifact, content)
        out += quiz_defects(artifact, content, language)
    return out


# --- the survey ----------------------------------------------------------------------------------------------


def fixture_texts(root: Path = TEXTS) -> list[tuple[Path, str]]:
    """Every text under the fixtures, with its language: a folder named de, fr or es sets it, else English."""
    found = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
    out: list[tuple[Path, str]] = []
    for path in found:
        folders = path.relative_to(root).parts[:-1]
        language = next((f for f in folders if f in LANGUAGES and f != "en"), "en")
        out.append((path, language))
    return out


@dataclass(slots=True)
class Survey:
    name: str
    language: str
    words: int
    cpu_seconds: float = 0.0
    skipped: str | None = None
    failed: tuple[str, ...] = ()  # artifacts the engine could not build, with its reason
    defects: tuple[Defect, ...] = ()


async def build_all(
    engine: ExtractiveGenerator, source: GenerationInput
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every artifact as the pipeline asks for them (the outline first, the rest under the stored outline), as
    JSON; and the artifacts the engine failed on, with its reason."""
    options = ArtifactOptions()
    built: dict[str, dict[str, Any]] = {}
    failed: list[str] = []
    try:
        outline = await engine.generate(GenerationTask(ArtifactType.OUTLINE, source, {}))
    except PermanentGenerationError as exc:
        return built, [f"outline: {exc}"]
    built[ArtifactType.OUTLINE] = outline.content.model_dump(mode="json")
    stored = Outline.model_validate(built[ArtifactType.OUTLINE])
    for artifact in artifact_types()[1:]:
        try:
            generated = await engine.generate(GenerationTask(artifact, source, options.for_type(artifact), stored))
        except PermanentGenerationError as exc:
            failed.append(f"{artifact.value}: {exc}")
            continue
        built[artifact] = generated.content.model_dump(mode="json")
    return built, failed


async def survey_one(name: str, text: str, language: str) -> Survey:
    result = Survey(name, language, len(text.split()))
    engine = ExtractiveGenerator()
    source = GenerationInput(topic=None, source_text=text, language=language)
    start = time.process_time()
    try:
        await engine.check(source, artifact_types(), ArtifactOptions())
    except Unprocessable as exc:
        result.cpu_seconds = time.process_time() - start
        result.skipped = exc.message
        return result
    artifacts, failed = await build_all(engine, source)
    result.cpu_seconds = time.process_time() - start  # the check and every artifact (worker threads included)
    result.failed = tuple(failed)
    result.defects = tuple(defects_of(artifacts, language))
    return result


async def warm_up(texts: Sequence[tuple[Path, str]]) -> float:
    """CPU seconds of a job left out of the figures, on an English text with a line added (so that its analysis is
    not the cached one the real run would get): the engine's one-time start-up, else charged to the first text."""
    english = [path for path, language in texts if language == "en"]
    if not english:
        return 0.0
    return (await survey_one("warm-up", english[0].read_text(encoding="utf-8") + "\n\nWarm-up.", "en")).cpu_seconds


async def survey(texts: Sequence[tuple[Path, str]], root: Path = TEXTS) -> tuple[float, list[Survey]]:
    start_up = await warm_up(texts)
    read = [(str(path.relative_to(root)), path.read_text(encoding="utf-8"), language) for path, language in texts]
    return start_up, [await survey_one(name, text, language) for name, text, language in read]


def table(surveys: Sequence[Survey]) -> list[str]:
    counts = Counter((d.artifact, d.rule) for s in surveys for d in s.defects)
    rows = [a.value for a in artifact_types()]
    rows += sorted({a for a, _ in counts} - set(rows))
    first = max(len(r) for r in [*rows, "artifact", "total"]) + 2
    widths = [max(len(rule), 5) + 2 for rule in RULES]
    lines = [f"  {'artifact':<{first}}" + "".join(f"{r:>{w}}" for r, w in zip(RULES, widths, strict=True)) + "  total"]
    for row in rows:
        cells = [counts[(row, rule)] for rule in RULES]
        numbers = "".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
        lines.append(f"  {row:<{first}}{numbers}{sum(cells):>7}")
    totals = [sum(counts[(row, rule)] for row in rows) for rule in RULES]
    numbers = "".join(f"{c:>{w}}" for c, w in zip(totals, widths, strict=True))
    lines.append(f"  {'total':<{first}}{numbers}{sum(totals):>7}")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--details", action="store_true", help="list every defect found, text by text")
    args = parser.parse_args(argv)
    texts = fixture_texts()
    start_up, surveys = asyncio.run(survey(texts))
    checked = [s for s in surveys if s.skipped is None]

    print(f"Offline engine output on {len(texts)} fixture texts (tests/fixtures/texts), engine CPU seconds per text")
    print(f"(check and every artifact type; a warm-up job first took {start_up:.3f} s, the one-time start-up):")
    name_width = max((len(s.name) for s in surveys), default=10) + 2
    for s in surveys:
        head = f"  {s.name:<{name_width}} {s.language}  {s.words:>6,} words  {s.cpu_seconds:7.3f} s"
        if s.skipped is not None:
            print(f"{head}   skipped, the engine refuses it: {s.skipped}")
            continue
        print(f"{head}   {len(s.defects):4} defects")
        for failure in s.failed:
            print(f"      not built: {failure}")
    print(f"\nDefects by artifact type and rule, summed over the {len(checked)} texts the engine accepted:")
    for line in table(checked):
        print(line)
    total_cpu = sum(s.cpu_seconds for s in surveys)
    total_defects = sum(len(s.defects) for s in checked)
    print(
        f"\nTotal: {total_defects} defects in {len(checked)} texts ({len(surveys) - len(checked)} skipped); "
        f"engine CPU {total_cpu:.3f} s (after the warm-up)"
    )
    if args.details:
        for s in checked:
            print(f"\n{s.name} ({s.language}):")
            for d in s.defects:
                print(f"  {d.artifact}.{d.field} [{d.rule}] {d.text}")


if __name__ == "__main__":
    main()
