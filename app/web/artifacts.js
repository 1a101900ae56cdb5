// One renderer per artifact type, declared here and looked up by the type's name; a type the page does not know
// yet (a newer server) is shown by `generic`, field by field, so nothing is ever left blank.

import { evidenceBlock } from "./evidence.js";
import { deck } from "./flashcards.js";
import { quiz } from "./quiz.js";
import { el, humanise, paragraphs, uid } from "./dom.js";

export const NAMES = {
  outline: "Outline",
  podcast_script: "Podcast script",
  study_guide: "Study guide",
  one_pager: "One-pager",
  detailed_reading: "Detailed reading",
  faq: "FAQ",
  flashcards: "Flashcards",
  reading_questions: "Reading questions",
  quiz: "Quiz",
};

export function nameOf(type) {
  return NAMES[type] ?? humanise(type);
}

const h3 = (text) => el("h3", {}, text);
const h4 = (text) => el("h4", {}, text);
const bullets = (items) => el("ul", {}, (items ?? []).map((item) => el("li", {}, item)));

function textSections(sections) {
  return (sections ?? []).map((section) => el("section", { class: "reading-section" }, h4(section.title), paragraphs(section.content)));
}

function outline(content) {
  return [
    h3(content.title),
    paragraphs(content.overview),
    h4("Learning objectives"),
    bullets(content.learning_objectives),
    h4("Sections"),
    el(
      "ol",
      { class: "outline" },
      (content.sections ?? []).map((section) =>
        el("li", {}, el("strong", {}, section.title), el("p", {}, section.summary), bullets(section.key_points)),
      ),
    ),
  ];
}

function podcast(content) {
  const roles = new Map((content.speakers ?? []).map((speaker) => [speaker.name, speaker.role]));
  return [
    h3(content.title),
    el("p", { class: "hint" }, `About ${content.estimated_minutes} minutes. `, [...roles.keys()].join(" and "), "."),
    el(
      "dl",
      { class: "speakers" },
      [...roles].map(([name, role]) => [el("dt", {}, name), el("dd", {}, role)]),
    ),
    el(
      "ol",
      { class: "dialogue" },
      (content.segments ?? []).map((segment) => {
        const guest = (content.speakers ?? []).findIndex((speaker) => speaker.name === segment.speaker) % 2 === 1;
        return el(
          "li",
          { class: guest ? "line guest" : "line host" },
          el("span", { class: "speaker" }, `${segment.speaker}:`),
          " ",
          el("span", { class: "words" }, segment.text),
        );
      }),
    ),
  ];
}

function studyGuide(content) {
  return [
    h3(content.title),
    paragraphs(content.overview),
    h4("Key concepts"),
    el(
      "dl",
      { class: "concepts" },
      (content.key_concepts ?? []).map((concept) => [
        el("dt", {}, concept.term),
        el("dd", {}, el("p", {}, concept.explanation), evidenceBlock(concept.evidence)),
      ]),
    ),
    textSections(content.sections),
    h4("Summary"),
    paragraphs(content.summary),
  ];
}

function onePager(content) {
  return [h3(content.title), paragraphs(content.summary), h4("Key takeaways"), bullets(content.key_takeaways), paragraphs(content.body)];
}

function detailedReading(content) {
  return [
    h3(content.title),
    paragraphs(content.introduction),
    textSections(content.sections),
    h4("Conclusion"),
    paragraphs(content.conclusion),
  ];
}

function faq(content) {
  return el(
    "div",
    { class: "faq" },
    (content.items ?? []).map((item) =>
      el("details", {}, el("summary", {}, item.question), paragraphs(item.answer), evidenceBlock(item.evidence)),
    ),
  );
}

function readingQuestions(content) {
  return el(
    "ol",
    { class: "reading-questions" },
    (content.questions ?? []).map((question) => {
      const panelId = uid("answer");
      const panel = el(
        "div",
        { id: panelId, class: "answer", hidden: true },
        question.answer ? el("p", {}, el("strong", {}, "A model answer: "), question.answer) : el("p", {}, "No model answer was given."),
        question.passage ? el("p", {}, el("strong", {}, "From the text: "), question.passage) : null,
        evidenceBlock(question.evidence),
      );
      const button = el("button", { type: "button", "aria-expanded": "false", "aria-controls": panelId }, "Show answer");
      button.addEventListener("click", () => {
        const open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", String(open));
        button.textContent = open ? "Hide answer" : "Show answer";
        panel.hidden = !open;
      });
      return el(
        "li",
        {},
        el("p", { class: "question-text" }, question.question),
        question.kind ? el("p", { class: "hint" }, `Kind: ${question.kind}`) : null,
        button,
        panel,
      );
    }),
  );
}

function generic(value) {
  if (Array.isArray(value)) return el("ol", {}, value.map((item) => el("li", {}, generic(item))));
  if (value && typeof value === "object") {
    return el(
      "dl",
      { class: "generic" },
      Object.entries(value).map(([name, item]) => [el("dt", {}, humanise(name)), el("dd", {}, generic(item))]),
    );
  }
  return String(value ?? "");
}

const RENDERERS = {
  outline,
  podcast_script: podcast,
  study_guide: studyGuide,
  one_pager: onePager,
  detailed_reading: detailedReading,
  faq,
  flashcards: (content) => deck(content.cards ?? []),
  reading_questions: readingQuestions,
  quiz: (content) => quiz(content.questions ?? []),
};

/** The study view of one artifact (the body of GET /v1/jobs/{id}/artifacts/{type}). */
export function render(artifact) {
  const draw = RENDERERS[artifact.type] ?? generic;
  const grounding = artifact.grounding
    ? el(
        "p",
        { class: "hint" },
        `${artifact.grounding.supported} items point at passages of the source` +
          (artifact.grounding.unsupported ? `; ${artifact.grounding.unsupported} could not be traced to it.` : "."),
      )
    : null;
  return el("div", { class: `artifact artifact-${artifact.type}` }, grounding, draw(artifact.content ?? {}));
}
