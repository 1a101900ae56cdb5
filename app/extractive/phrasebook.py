"""Everything the offline engine writes in its own words, per language: question and card templates, learning
objectives, titles, and the podcast host's lines.

Templates are ``str.format`` strings. The fields they may use:

- ``{term}``: the term as the text writes it ("Calvin cycle", "Wasserkreislauf");
- ``{phrase}``: the term as a sentence mentions it, with the article the text uses ("the Calvin cycle"); only
  English builds it, other languages quote ``{term}`` instead, which needs no agreement;
- ``{copula}`` ("is", "are", "was", "were") and ``{does}`` ("does", "do"): English agreement with the term;
- ``{other}``: a second term (as ``{phrase}`` in English, as ``{term}`` elsewhere);
- ``{title}``, ``{section}``, ``{sentence}``, ``{topics}``: as named.

Each tuple offers variants, taken in turn so that a host never asks the same way twice running. The phrasing
is each language's own, not a word-for-word rendering of the English.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Phrasebook:
    language: str
    open_quote: str  # how the language sets a term in quotes inside a question: „…“, « … », «…», or nothing
    close_quote: str

    # The outline
    objectives: tuple[str, ...]  # {term}/{phrase}: "Explain {phrase}."
    untitled: str  # the title of a text that names nothing: "Reading Notes"
    part: str  # a section the text does not name: "Part {n}"

    # Titles
    study_guide_title: str  # "Study Guide: {title}"
    podcast_title: str  # "{title}: A Conversation"

    # Cards and FAQ
    what_is: str  # a defined term: "What {copula} {phrase}?"
    know_about: str  # a term without a definition: "What should I know about {phrase}?"
    says_about: str  # a card on a term no sentence blanks well: "What does the text say about {phrase}?"
    cloze: str  # "Fill in the blank: {sentence}"

    # The quiz: a sentence with a blank ({sentence}), led by what fills it
    quiz_defined: str  # the blank is the term the sentence defines: "Which term is defined here? {sentence}"
    quiz_term: str  # a key term: "Which term completes the sentence? {sentence}"
    quiz_name: str  # a name (a person, place, institution): "Which name completes the sentence? {sentence}"
    quiz_year: str  # a year: "Which year completes the sentence? {sentence}"
    quiz_number: str  # a figure with its unit ("70 percent"): "Which figure completes the sentence? {sentence}"

    # Reading questions, by what the sentence behind them does
    definition_questions: tuple[str, ...]  # "How does the text define {phrase}?"
    cause_questions: tuple[str, ...]  # the sentence gives a cause or an effect
    process_questions: tuple[str, ...]  # the sentence describes steps or stages
    comparison_questions: tuple[str, ...]  # {other}: the sentence compares two things
    event_questions: tuple[str, ...]  # the sentence dates an event
    relation_questions: tuple[str, ...]  # {other}: two terms the text mentions together
    application_questions: tuple[str, ...]  # use the idea elsewhere
    evaluation_questions: tuple[str, ...]  # weigh the text's account

    # Cue words (lower case) that tell what a sentence does; matched as whole words or phrases
    cause_cues: tuple[str, ...]
    process_cues: tuple[str, ...]
    comparison_cues: tuple[str, ...]

    # The podcast
    host: str  # speaker names
    guest: str
    host_role: str
    guest_role: str
    welcomes: tuple[str, ...]  # {title}
    introductions: tuple[str, ...]  # the host hands over to the guest for the overview
    transitions: tuple[str, ...]  # {section}: the host moves to the next section
    follow_ups: tuple[str, ...]  # {term}/{phrase}/{does}: a question on what the guest just said
    prompts: tuple[str, ...]  # a follow-up with no term to ask about
    summaries: tuple[str, ...]  # {topics}: the host sums up before closing
    closings: tuple[str, ...]  # the host's last line
    guest_closings: tuple[str, ...]  # the guest's last line
    and_word: str  # joins the last of a list: "A, B and C"
    and_more: str  # a list cut short: "A, B, C, D and more"
    shorter: str  # {minutes}: the host says why the episode is shorter than asked (the text says no more)

    def quoted(self, term: str) -> str:
        return f"{self.open_quote}{term}{self.close_quote}"


ENGLISH = Phrasebook(
    language="en",
    open_quote="",
    close_quote="",
    objectives=(
        "Explain {phrase}.",
        "Describe the role of {phrase}.",
        "Identify the main features of {phrase}.",
        "Summarise what the text says about {phrase}.",
        "Discuss the significance of {phrase}.",
        "Relate {phrase} to the other ideas in the text.",
    ),
    untitled="Reading Notes",
    part="Part {n}",
    study_guide_title="Study Guide: {title}",
    podcast_title="{title}: A Conversation",
    what_is="What {copula} {phrase}?",
    know_about="What should I know about {phrase}?",
    says_about="What does the text say about {phrase}?",
    cloze="Fill in the blank: {sentence}",
    quiz_defined="Which term is defined here? {sentence}",
    quiz_term="Which term completes the sentence? {sentence}",
    quiz_name="Which name completes the sentence? {sentence}",
    quiz_year="Which year completes the sentence? {sentence}",
    quiz_number="Which figure completes the sentence? {sentence}",
    definition_questions=("How does the text define {phrase}?", "What does the text mean by {phrase}?"),
    cause_questions=(
        "According to the text, what causes {phrase}, and what follows from it?",
        "Why {does} {phrase} happen, according to the text?",
    ),
    process_questions=(
        "What are the stages of {phrase}, in order?",
        "How does {phrase} proceed, step by step, according to the text?",
    ),
    comparison_questions=(
        "How does the text contrast {phrase} with {other}?",
        "What sets {phrase} apart from {other}?",
    ),
    event_questions=(
        "When did {phrase} take place, and what came of it?",
        "What happened with {phrase}, and when?",
    ),
    relation_questions=("How {does} {phrase} relate to {other}?", "What connects {phrase} and {other}?"),
    application_questions=(
        "How could the idea of {phrase} be applied to a situation the text does not discuss?",
        "What present-day example can you connect to {phrase}, and how?",
    ),
    evaluation_questions=(
        "What are the strengths and limits of the text's explanation of {phrase}?",
        "Which part of the text's account of {phrase} would you question, and why?",
    ),
    cause_cues=(
        "because", "because of", "due to", "causes", "caused", "leads to", "led to", "results in", "resulted in",
        "as a result", "therefore", "so that", "since", "owing to", "triggers", "produces",
    ),
    process_cues=(
        "first", "then", "next", "finally", "stage", "stages", "step", "steps", "phase", "phases", "begins",
        "after that", "followed by", "in turn", "process",
    ),
    comparison_cues=(
        "whereas", "unlike", "while", "in contrast", "compared with", "compared to", "than", "rather than",
        "on the other hand", "differs", "similar to", "both",
    ),
    host="Host",
    guest="Guest",
    host_role="Presenter who guides the conversation",
    guest_role="Expert who explains the material, in the source text's own words",
    welcomes=(
        "Welcome to the show. Today we're talking about {title}.",
        "Hello and welcome. This episode is about {title}.",
    ),
    introductions=("Let's start with the big picture. What is this about?", "Where does the story begin?"),
    transitions=(
        "Let's turn to {section}.",
        "Next up: {section}. What should we know?",
        "Now, {section}. Walk us through it.",
        "That brings us to {section}.",
    ),
    follow_ups=(
        "Can you say more about {phrase}?",
        "Where {does} {phrase} come in?",
        "Why {does} {phrase} matter here?",
        "And how does {phrase} fit into that?",
        "So what is the key point about {phrase}?",
    ),
    prompts=("Please go on.", "What else should listeners know?", "Tell us more.", "And then?"),
    summaries=(
        "To recap, we covered {topics}.",
        "So today we went through {topics}.",
    ),
    closings=("Thank you for listening.", "Thanks for joining us, and see you next time."),
    guest_closings=("Thanks for having me.", "It was a pleasure."),
    and_word="and",
    and_more="and more",
    shorter="The text has no more to say on this, so our episode is shorter than the {minutes} minutes planned.",
)  # fmt: skip
