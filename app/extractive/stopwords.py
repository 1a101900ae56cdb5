"""English words that never start, end or make up a key term: function words, common verbs and fillers."""

from __future__ import annotations

_FUNCTION_WORDS = """
a about above across after afterwards again against all almost alone along already also although always am
among amongst an and another inside outside any anyhow anyone anything anyway anywhere are around as at back be because
been before beforehand behind being below beside besides between beyond both but by can cannot could did do
does doing done down due during each either else elsewhere enough etc even ever every everyone everything
everywhere except few for former formerly from further hence her here hereby herein hers herself him himself
his how however i if in indeed instead into is it its itself just least less lest many may me meanwhile might
mine more moreover most mostly much must my myself namely neither never nevertheless no nobody none noone nor
not nothing now nowhere of off often on once one ones only onto or other others otherwise ought our ours
ourselves out over own per perhaps please quite rather same shall she should since so some somehow someone
something sometime sometimes somewhere still such than that the their theirs them themselves then thence
there thereafter thereby therefore therein thereupon these they this those though through throughout thus to
together too toward towards under unless until up upon us very via was we well were what whatever when
whence whenever where whereas whereby wherein whether which while whither who whoever whole whom whose why
will with within without would yet you your yours yourself yourselves he's it's that's there's what's let's
don't doesn't didn't isn't aren't wasn't weren't can't won't wouldn't shouldn't couldn't
"""

# Verb forms and fillers that are rarely part of a term; nouns that double as verbs ("increase", "form",
# "lead") are left out so that terms like "additive increase" survive.
_COMMON_WORDS = """
able according accordingly actually add added adds affect affected affects ago allow allowed allowing allows
almost alongside already although anymore appear appeared appears apply applied applies approximately arise
arises arose ask asked asks associated became become becomes becoming began begin beginning begins begun
believe believed belong belongs better best bring brings brought call called calls came carried carries
carry carrying cause caused causes causing certain certainly change changed changes choose chose chosen
clearly come comes coming commonly completely consider considered considers consist consisted consists
contain contained containing contains continue continued continues continuing could create created creates
creating currently deal deals dealt depend depended depending depends describe described describes
describing despite develop developed developing develops did different directly do does easily easy
effectively either else enable enabled enables entirely especially essentially even eventually ever every
exactly example examples exist existed exists expect expected explain explained explains fact facts fairly
far felt find finding finds first five follow followed following follows found four frequently fully gave
generally get gets getting give given gives giving go goes going gone good got great greater greatly had
happen happened happens has have having help helped helping helps high higher highly hold holds however
important importantly include included includes including increasingly indeed instance instances involve
involved involves involving keep keeps kept kind kinds knew know known knows large larger largely last later
latter lead leading leads learn learned least led less let lets like likely little look looked looks lot lots
low lower made main mainly major make makes making many  mean meaning means meant merely might
more most much must nearly necessary need needed needs new next nine nonetheless normally notably now
obviously occur occurred occurring occurs often old once one only others overall particular particularly
partly perhaps play played playing plays possible possibly potentially previously primarily probably
provide provided provides providing put puts quickly quite rarely rather really recently refer referred
referring refers regarding relatively remain remained remaining remains require required requires
requiring result resulted resulting results right roughly said same saw say saying says second see seeing
seem seemed seems seen sees serve served serves set sets seven several shall show showed showing shown shows
significantly similar similarly simply since six slightly so sometimes soon specific specifically still such
suggest suggested suggests suppose supposed sure take taken takes taking tell tells tend tended tends ten
than thing things think third thought three thus today told took truly try trying turn turned turns twice
two typical typically ultimately unlike use used uses using usually various versus via want wanted wants way
ways went whether widely will within without would yes
"""

# Common verbs in their -s, -ing and irregular forms ("grows", "sent"); regular -ed forms are caught by rule.
_VERB_FORMS = """
absorb absorbs absorbing act acts acting arrive arrives arriving ask asks break breaks breaking broke broken
build builds building built cut cuts cutting drive drives driving drove driven enter enters entering fall
falls falling fell fallen fill fills filling fire fires flows forms go grow grows growing grew grown hold
holding lose loses losing lost move moves moving moved pass passes passing produce produces producing
reduce reduces reducing reach reaches reaching receive receives receiving reflect reflects release releases
releasing rise rises rising rose risen run runs running ran save saves saving seize send sends sending sent
split splits splitting store stores storing swore sworn tried
waiting wait waits convert converts converting carry stay stays staying spend spends spent spread spreads
bring bringing destroy destroys destroying small smaller smallest big bigger tiny huge strong stronger weak
weaker simple simpler become stand stands stood meet meets met rose write writes wrote written apart away beneath
"""

FUNCTION_WORDS: frozenset[str] = frozenset(_FUNCTION_WORDS.split())
STOPWORDS: frozenset[str] = FUNCTION_WORDS | frozenset((_COMMON_WORDS + _VERB_FORMS).split())

# Words that may sit inside a term ("round-trip time", "world war") but are too vague to stand alone.
_GENERIC = """
    amount approach area aspect aspects case cases century centuries day days effect effects end form forms
    idea ideas information level levels number numbers part parts people period place point points problem
    problems process question questions reason reasons role roles side source step steps system systems term
    terms text time times type types use value values work world year years
"""
GENERIC: frozenset[str] = frozenset(_GENERIC.split())

# Abbreviations whose trailing full stop does not end a sentence.
_ABBREVIATIONS = """
    e.g i.e cf vs viz al approx dr mr mrs ms prof sr jr st mt ft inc ltd co corp dept est gen gov col capt lt sgt
    rev hon pres univ assn bros jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n a.m p.m ca
"""
ABBREVIATIONS: frozenset[str] = frozenset(_ABBREVIATIONS.split())

# Abbreviations that are abbreviations only before a number ("No. 5", "Fig. 2", "p. 17").
NUMBERED_ABBREVIATIONS: frozenset[str] = frozenset(
    ("no", "nos", "vol", "vols", "p", "pp", "fig", "figs", "ch", "sec", "art", "eq", "op")
)

ARTICLES: frozenset[str] = frozenset({"a", "an", "the"})
