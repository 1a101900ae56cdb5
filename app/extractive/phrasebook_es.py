"""The Spanish phrasebook: the engine's own words in Spanish (see ``phrasebook`` for the fields and placeholders).

Instructions address the reader with «usted». Terms are set in angular quotes («…»), and the lines are built
around them («de», «sobre», «entre… y…») so that no article or agreement depends on the term. Questions and
exclamations open with ¿ and ¡.
"""

from __future__ import annotations

from app.extractive.phrasebook import Phrasebook

SPANISH = Phrasebook(
    language="es",
    open_quote="«",
    close_quote="»",
    objectives=(
        "Explique qué se entiende por «{term}».",
        "Describa el papel de «{term}».",
        "Identifique los rasgos principales de «{term}».",
        "Resuma lo que dice el texto sobre «{term}».",
        "Comente la importancia de «{term}».",
        "Relacione «{term}» con las demás ideas del texto.",
        "Sitúe «{term}» en el conjunto del texto.",
    ),
    untitled="Notas de lectura",
    part="Parte {n}",
    study_guide_title="Guía de estudio: {title}",
    podcast_title="{title}: una conversación",
    what_is="¿Qué se entiende por «{term}»?",
    know_about="¿Qué conviene saber sobre «{term}»?",
    says_about="¿Qué dice el texto sobre «{term}»?",
    cloze="Complete la frase: {sentence}",
    quiz_defined="¿Qué término se define aquí? {sentence}",
    quiz_term="¿Qué término completa la frase? {sentence}",
    quiz_name="¿Qué nombre completa la frase? {sentence}",
    quiz_year="¿Qué año completa la frase? {sentence}",
    quiz_number="¿Qué cifra completa la frase? {sentence}",
    definition_questions=(
        "¿Cómo define el texto «{term}»?",
        "¿Qué significado da el texto a «{term}»?",
        "¿Qué definición de «{term}» propone el texto?",
    ),
    cause_questions=(
        "Según el texto, ¿cuáles son las causas y las consecuencias de «{term}»?",
        "¿Qué explicación ofrece el texto sobre el origen de «{term}»?",
    ),
    process_questions=(
        "¿Cuáles son las etapas de «{term}», en orden?",
        "¿Cómo describe el texto, paso a paso, el desarrollo de «{term}»?",
    ),
    comparison_questions=(
        "¿Cómo contrasta el texto «{term}» con «{other}»?",
        "¿En qué se diferencian «{term}» y «{other}»?",
    ),
    event_questions=(
        "¿Cuándo tuvo lugar «{term}» y qué vino después?",
        "¿Qué ocurrió en relación con «{term}», y cuándo?",
    ),
    relation_questions=(
        "¿Qué relación hay entre «{term}» y «{other}»?",
        "¿Qué vincula «{term}» con «{other}»?",
    ),
    application_questions=(
        "¿Cómo podría aplicarse la idea de «{term}» a una situación que el texto no trata?",
        "¿Qué ejemplo actual puede relacionar con «{term}», y de qué manera?",
    ),
    evaluation_questions=(
        "¿Cuáles son los puntos fuertes y las limitaciones de la explicación que ofrece el texto sobre «{term}»?",
        "¿Qué parte de la exposición del texto sobre «{term}» cuestionaría usted, y por qué?",
    ),
    cause_cues=(
        "porque", "ya que", "puesto que", "debido a", "a causa de", "por eso", "por lo tanto", "por tanto",
        "por consiguiente", "en consecuencia", "como resultado", "como consecuencia", "da lugar a", "provoca",
        "provocan", "causa", "causado", "conduce a", "de modo que", "gracias a",
    ),
    process_cues=(
        "primero", "en primer lugar", "luego", "después", "a continuación", "posteriormente", "finalmente",
        "por último", "etapa", "etapas", "fase", "fases", "paso", "pasos", "proceso", "comienza con", "seguido de",
        "sucesivamente",
    ),
    comparison_cues=(
        "mientras que", "a diferencia de", "en contraste con", "en cambio", "por el contrario", "comparado con",
        "en comparación con", "frente a", "se diferencia", "se distingue", "difiere", "distinto de", "similar a",
        "al igual que", "en lugar de", "ambos", "ambas",
    ),
    host="Presentador",
    guest="Invitado",
    host_role="Presentador que guía la conversación",
    guest_role="Experto que explica el tema con las mismas palabras del texto original",
    welcomes=(
        "Bienvenidos al programa. Hoy hablamos de «{title}».",
        "Hola y bienvenidos a un nuevo episodio, dedicado a «{title}».",
    ),
    introductions=(
        "Empecemos por el panorama general: ¿de qué trata todo esto?",
        "¿Por dónde empieza todo?",
    ),
    transitions=(
        "Pasemos ahora al apartado «{section}».",
        "A continuación: {section}. ¿Qué deberíamos saber?",
        "Vamos con «{section}». ¿Nos guía por esta parte?",
        "Esto nos lleva a «{section}».",
        "Siguiente punto: {section}. ¿Qué es lo más importante aquí?",
        "Detengámonos ahora en «{section}».",
    ),
    follow_ups=(
        "¿Puede contarnos algo más sobre «{term}»?",
        "¿Por qué conviene detenerse aquí en «{term}»?",
        "¿Y cómo encaja esto con «{term}»?",
        "Entonces, ¿qué es lo esencial sobre «{term}»?",
        "¿Qué quiere decir exactamente «{term}» en este contexto?",
    ),
    prompts=(
        "Siga, por favor.",
        "¿Qué más deberían saber nuestros oyentes?",
        "Cuéntenos más.",
        "¿Y luego?",
        "¡Qué interesante! ¿Y qué más?",
    ),
    summaries=(
        "En resumen, hoy hemos repasado estos temas: {topics}.",
        "Recapitulemos lo que hemos visto: {topics}.",
    ),
    closings=("Gracias por escucharnos.", "Gracias por acompañarnos, y hasta la próxima."),
    guest_closings=("Gracias por invitarme.", "Ha sido un placer."),
    and_word="y",
    and_more="y más",
    shorter="El texto no da para más, así que este episodio dura menos de los {minutes} minutos previstos.",
)  # fmt: skip
