"""The German phrasebook: the engine's own words in German (see ``phrasebook`` for the fields and placeholders).

Instructions address the reader with „Sie“. Terms are set in German quotation marks („…“), and the lines are
built around them (prepositions, „es“-constructions) so that no article, case ending or verb has to agree with
the term. Headings inserted with ``{title}`` or ``{section}`` stand in quotes or after a colon, so that any
heading fits.
"""

from __future__ import annotations

from app.extractive.phrasebook import Phrasebook

GERMAN = Phrasebook(
    language="de",
    open_quote="„",
    close_quote="“",
    objectives=(
        "Erklären Sie, was unter „{term}“ zu verstehen ist.",
        "Beschreiben Sie die Rolle von „{term}“.",
        "Nennen Sie die wichtigsten Merkmale von „{term}“.",
        "Fassen Sie zusammen, was der Text über „{term}“ sagt.",
        "Beurteilen Sie die Bedeutung von „{term}“ für das Thema des Textes.",
        "Setzen Sie „{term}“ in Beziehung zu den übrigen Gedanken des Textes.",
        "Ordnen Sie „{term}“ in den Gesamtzusammenhang des Textes ein.",
    ),
    untitled="Lesenotizen",
    part="Teil {n}",
    study_guide_title="Lernhilfe: {title}",
    podcast_title="{title} – ein Gespräch",
    what_is="Was versteht man unter „{term}“?",
    know_about="Was sollte man über „{term}“ wissen?",
    says_about="Was sagt der Text über „{term}“?",
    cloze="Ergänzen Sie die Lücke: {sentence}",
    quiz_defined="Welcher Begriff wird hier bestimmt? {sentence}",
    quiz_term="Welcher Begriff gehört in die Lücke? {sentence}",
    quiz_name="Welcher Name gehört in die Lücke? {sentence}",
    quiz_year="Welche Jahreszahl gehört in die Lücke? {sentence}",
    quiz_number="Welcher Wert gehört in die Lücke? {sentence}",
    definition_questions=(
        "Wie definiert der Text „{term}“?",
        "Was meint der Text mit „{term}“?",
        "Welche Bestimmung von „{term}“ gibt der Text?",
    ),
    cause_questions=(
        "Welche Ursachen und welche Folgen nennt der Text für „{term}“?",
        "Welche Zusammenhänge von Ursache und Wirkung stellt der Text bei „{term}“ her?",
    ),
    process_questions=(
        "Welche Phasen oder Schritte beschreibt der Text für „{term}“, und in welcher Reihenfolge?",
        "Wie beschreibt der Text den Ablauf von „{term}“ Schritt für Schritt?",
    ),
    comparison_questions=(
        "Wie grenzt der Text „{term}“ von „{other}“ ab?",
        "Worin unterscheiden sich „{term}“ und „{other}“?",
    ),
    event_questions=(
        "Wann kam es zu „{term}“, und was waren die Folgen?",
        "Was geschah im Zusammenhang mit „{term}“, und wann?",
    ),
    relation_questions=(
        "Wie hängen „{term}“ und „{other}“ zusammen?",
        "Was verbindet „{term}“ mit „{other}“?",
    ),
    application_questions=(
        "Wie ließe sich der Gedanke hinter „{term}“ auf eine Situation übertragen, die der Text nicht behandelt?",
        "Welches aktuelle Beispiel können Sie mit „{term}“ in Verbindung bringen, und wie?",
    ),
    evaluation_questions=(
        "Wo liegen die Stärken und Grenzen der Erklärung, die der Text zu „{term}“ gibt?",
        "Welchen Teil der Darstellung von „{term}“ würden Sie hinterfragen, und warum?",
    ),
    cause_cues=(
        "weil", "deshalb", "deswegen", "daher", "folglich", "infolge", "infolgedessen", "aufgrund", "wegen",
        "führt zu", "führt zur", "führen zu", "verursacht", "bewirkt", "sodass", "so dass", "zur folge", "ursache",
        "ursachen", "auslöser",
    ),
    process_cues=(
        "zuerst", "zunächst", "anschließend", "danach", "daraufhin", "schließlich", "zuletzt", "phase", "phasen",
        "schritt", "schritte", "stufe", "stufen", "stadium", "stadien", "ablauf", "prozess", "im anschluss",
        "beginnt mit", "gefolgt von",
    ),
    comparison_cues=(
        "im gegensatz", "im unterschied", "im vergleich", "verglichen mit", "anders als", "während", "wohingegen",
        "hingegen", "dagegen", "unterscheidet sich", "unterscheiden sich", "unterschied zwischen", "ähnlich wie",
        "genauso wie", "ebenso wie", "andererseits", "sowohl",
    ),
    host="Moderator",
    guest="Gast",
    host_role="Moderator, der durch das Gespräch führt",
    guest_role="Experte, der den Stoff erklärt – mit den Worten des Ausgangstextes",
    welcomes=(
        "Herzlich willkommen! Heute geht es um das Thema „{title}“.",
        "Hallo und willkommen zu einer neuen Folge. Unser Thema: {title}.",
        "Schön, dass Sie dabei sind. In dieser Folge dreht sich alles um „{title}“.",
    ),
    introductions=(
        "Beginnen wir mit dem großen Ganzen: Worum geht es eigentlich?",
        "Wo fängt man bei diesem Thema am besten an?",
        "Verschaffen wir uns zuerst einen Überblick. Worum geht es im Kern?",
    ),
    transitions=(
        "Weiter geht es mit dem Abschnitt „{section}“.",
        "Als Nächstes: {section}. Was sollten wir darüber wissen?",
        "Jetzt zum Abschnitt „{section}“. Was erwartet uns hier?",
        "Damit sind wir beim Abschnitt „{section}“.",
        "Nächster Punkt: {section}. Was ist hier wichtig?",
        "Schauen wir uns nun den Abschnitt „{section}“ an.",
    ),
    follow_ups=(
        "Können Sie uns mehr über „{term}“ erzählen?",
        "Was hat es mit „{term}“ auf sich?",
        "Und wie hängt das mit „{term}“ zusammen?",
        "Worauf kommt es bei „{term}“ vor allem an?",
        "Was bedeutet „{term}“ in diesem Zusammenhang genau?",
        "Können Sie „{term}“ noch etwas genauer erklären?",
    ),
    prompts=(
        "Bitte erzählen Sie weiter.",
        "Was sollten unsere Hörerinnen und Hörer noch wissen?",
        "Erzählen Sie uns mehr darüber.",
        "Und wie geht es weiter?",
        "Und dann?",
    ),
    summaries=(
        "Fassen wir zusammen – unsere Themen heute: {topics}.",
        "Zum Schluss noch einmal im Überblick, was wir besprochen haben: {topics}.",
    ),
    closings=("Vielen Dank fürs Zuhören.", "Danke, dass Sie dabei waren – bis zum nächsten Mal!"),
    guest_closings=("Vielen Dank für die Einladung.", "Es war mir eine Freude."),
    and_word="und",
    and_more="und weitere Themen",
    shorter="Mehr gibt der Text dazu nicht her, deshalb ist diese Folge kürzer als die geplanten {minutes} Minuten.",
)  # fmt: skip
