// The quiz: one group of radio buttons per question, a "Check answer" button, then the verdict (in words, not
// only in colour) and the explanation. A running score sits above the questions.

import { evidenceBlock } from "./evidence.js";
import { el, uid } from "./dom.js";

export function quiz(questions) {
  const score = el("p", { class: "score", role: "status" }, `${questions.length} questions. None checked yet.`);
  const results = new Map();

  function tally() {
    const right = [...results.values()].filter(Boolean).length;
    score.textContent = `${results.size} of ${questions.length} checked, ${right} correct.`;
  }

  const list = el("ol", { class: "quiz" });
  questions.forEach((question, number) => {
    const name = uid("quiz");
    const verdict = el("p", { class: "verdict", "aria-live": "polite" });
    const explanation = el("p", { class: "explanation", hidden: true }, question.explanation ?? "");
    const choices = question.options.map((option, position) => {
      const id = `${name}-${position}`;
      const input = el("input", { type: "radio", name, id, value: String(position) });
      const mark = el("span", { class: "mark" });
      return { input, mark, row: el("div", { class: "option" }, input, el("label", { for: id }, option), mark) };
    });
    const check = el("button", { type: "button", class: "check" }, "Check answer");
    check.addEventListener("click", () => {
      const chosen = choices.findIndex((choice) => choice.input.checked);
      if (chosen === -1) {
        verdict.textContent = "Choose an option first.";
        verdict.className = "verdict";
        return;
      }
      const correct = chosen === question.answer_index;
      const answer = question.options[question.answer_index];
      verdict.textContent = correct ? "Correct." : `Not quite: the answer is “${answer}”.`;
      verdict.className = correct ? "verdict right" : "verdict wrong";
      choices.forEach((choice, position) => {
        choice.row.classList.toggle("is-answer", position === question.answer_index);
        choice.row.classList.toggle("is-wrong", position === chosen && !correct);
        choice.mark.textContent =
          position === question.answer_index ? " (correct answer)" : position === chosen ? " (your answer)" : "";
      });
      explanation.hidden = false;
      results.set(number, correct);
      tally();
    });
    const legend = el("legend", {}, `${number + 1}. ${question.question}`);
    const meta = question.difficulty ? el("p", { class: "hint" }, `Difficulty: ${question.difficulty}`) : null;
    list.append(
      el(
        "li",
        {},
        el("fieldset", { class: "question" }, legend, meta, ...choices.map((choice) => choice.row)),
        el("div", { class: "actions" }, check),
        verdict,
        explanation,
        evidenceBlock(question.evidence),
      ),
    );
  });
  return el("div", {}, score, list);
}
