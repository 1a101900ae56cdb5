"""The French phrasebook: the engine's own words in French (see ``phrasebook`` for the fields and placeholders).

Instructions address the reader with « vous ». Terms are set in guillemets (« … »), and the lines are built
around them (« par », « sur », « à », « entre … et … ») so that no article, elision or agreement depends on the
term. French typography: every space inside the guillemets and before ? ! : ; is a no-break space (U+00A0),
written literally below; apostrophes are typographic (’).
"""

from __future__ import annotations

from app.extractive.phrasebook import Phrasebook

FRENCH = Phrasebook(
    language="fr",
    open_quote="« ",
    close_quote=" »",
    objectives=(
        "Expliquez ce que l’on entend par « {term} ».",
        "Décrivez le rôle joué par « {term} ».",
        "Identifiez les principales caractéristiques propres à « {term} ».",
        "Résumez ce que le texte avance sur « {term} ».",
        "Expliquez l’importance que le texte accorde à « {term} ».",
        "Mettez « {term} » en relation avec les autres idées du texte.",
        "Situez « {term} » dans l’ensemble du texte.",
    ),
    untitled="Notes de lecture",
    part="Partie {n}",
    study_guide_title="Fiche de révision : {title}",
    podcast_title="{title} : un entretien",
    what_is="Qu’entend-on par « {term} » ?",
    know_about="Que faut-il savoir sur « {term} » ?",
    says_about="Que dit le texte sur « {term} » ?",
    cloze="Complétez la phrase : {sentence}",
    quiz_defined="Quel terme est défini ici ? {sentence}",
    quiz_term="Quel terme complète la phrase ? {sentence}",
    quiz_name="Quel nom complète la phrase ? {sentence}",
    quiz_year="Quelle année complète la phrase ? {sentence}",
    quiz_number="Quelle valeur complète la phrase ? {sentence}",
    definition_questions=(
        "Comment le texte définit-il « {term} » ?",
        "Quel sens le texte donne-t-il à « {term} » ?",
        "Quelle définition le texte propose-t-il pour « {term} » ?",
    ),
    cause_questions=(
        "D’après le texte, qu’est-ce qui provoque « {term} », et qu’en résulte-t-il ?",
        "Quelles causes le texte attribue-t-il à « {term} », et avec quels effets ?",
    ),
    process_questions=(
        "Quelles étapes le texte distingue-t-il pour « {term} », et dans quel ordre ?",
        "Étape par étape, comment le texte présente-t-il « {term} » ?",
    ),
    comparison_questions=(
        "Quel contraste le texte établit-il entre « {term} » et « {other} » ?",
        "Quelles différences y a-t-il entre « {term} » et « {other} » ?",
    ),
    event_questions=(
        "À quel moment situer « {term} », et quelles en ont été les suites ?",
        "Que s’est-il passé avec « {term} », et quand ?",
    ),
    relation_questions=(
        "Quel lien le texte établit-il entre « {term} » et « {other} » ?",
        "Qu’est-ce qui rapproche « {term} » et « {other} » ?",
    ),
    application_questions=(
        "Comment transposer « {term} » à une situation que le texte n’aborde pas ?",
        "Quel exemple actuel pouvez-vous rattacher à « {term} », et comment ?",
    ),
    evaluation_questions=(
        "Quels sont les points forts et les limites de l’explication que le texte propose pour « {term} » ?",
        "Dans la manière dont le texte présente « {term} », que remettriez-vous en question, et pourquoi ?",
    ),
    cause_cues=(
        "parce que", "puisque", "car", "donc", "à cause de", "en raison de", "grâce à", "du fait de", "dû à",
        "par conséquent", "en conséquence", "si bien que", "de sorte que", "provoque", "provoquent", "entraîne",
        "entraînent", "conduit à", "aboutit à", "résulte",
    ),
    process_cues=(
        "d’abord", "d'abord", "premièrement", "ensuite", "puis", "enfin", "finalement", "étape", "étapes", "phase",
        "phases", "stade", "stades", "processus", "par la suite", "dans un premier temps", "commence par",
        "suivi de", "successivement",
    ),
    comparison_cues=(
        "alors que", "tandis que", "contrairement à", "à la différence de", "par rapport à", "comparé à",
        "comparée à", "en comparaison de", "par contre", "en revanche", "au contraire", "se distingue", "diffère",
        "différent de", "semblable à", "de même que", "plutôt que", "les deux",
    ),
    host="Animateur",
    guest="Invité",
    host_role="Animateur qui mène la conversation",
    guest_role="Spécialiste qui explique le sujet avec les mots mêmes du texte source",
    welcomes=(
        "Bonjour et bienvenue ! Au programme aujourd’hui : {title}.",
        "Bienvenue dans ce nouvel épisode, consacré à « {title} ».",
    ),
    introductions=(
        "Commençons par une vue d’ensemble : de quoi s’agit-il ?",
        "Pour commencer, quel est le point de départ ?",
    ),
    transitions=(
        "Passons maintenant à la suite : {section}.",
        "Place à la section « {section} ». Que faut-il en retenir ?",
        "Abordons maintenant « {section} ». Pouvez-vous nous guider ?",
        "Ce qui nous amène à « {section} ».",
        "Prochaine étape : {section}. Qu’y a-t-il à savoir ?",
        "Intéressons-nous à présent à « {section} ».",
    ),
    follow_ups=(
        "Pouvez-vous nous en dire plus sur « {term} » ?",
        "Quelle place faut-il donner à « {term} » ici ?",
        "Pourquoi insister ici sur « {term} » ?",
        "Et quel est le lien avec « {term} » ?",
        "Que faut-il retenir avant tout sur « {term} » ?",
        "Qu’entendez-vous exactement par « {term} » ?",
    ),
    prompts=(
        "Continuez, je vous en prie.",
        "Que doivent encore savoir nos auditeurs ?",
        "Dites-nous-en plus.",
        "Et ensuite ?",
        "C’est-à-dire ?",
    ),
    summaries=(
        "Pour récapituler, voici ce que nous avons abordé : {topics}.",
        "Faisons le point sur les thèmes du jour : {topics}.",
    ),
    closings=(
        "Merci de nous avoir écoutés.",
        "Merci de nous avoir suivis, et à bientôt pour un nouvel épisode !",
    ),
    guest_closings=("Merci de m’avoir invité.", "Ce fut un plaisir."),
    and_word="et",
    and_more="et d’autres encore",
    shorter=(
        "Le texte n’en dit pas davantage\u00a0: cet épisode est donc plus court que les {minutes}\u00a0minutes "
        "prévues."
    ),
)  # fmt: skip
