// A deck of flip cards. The card is a button: Space or Enter turns it, the arrow keys (and Home, End) move
// through the deck. Only the face in view is exposed to assistive technology, and a polite live region reads
// out the card and side now showing, with its text (a focused button's new name is not always announced).

import { evidenceBlock } from "./evidence.js";
import { el, replace, uid } from "./dom.js";

export function deck(cards) {
  const helpId = uid("deck-help");
  const front = el("span", { class: "face front" });
  const back = el("span", { class: "face back", "aria-hidden": "true" });
  const card = el("button", { type: "button", class: "card", "aria-describedby": helpId }, el("span", { class: "card-inner" }, front, back));
  const position = el("p", { class: "deck-position" });
  const announcer = el("p", { class: "visually-hidden", "aria-live": "polite" });
  const level = el("p", { class: "deck-level" });
  const previous = el("button", { type: "button" }, "Previous card");
  const next = el("button", { type: "button" }, "Next card");
  const evidence = el("div", { class: "deck-evidence" });
  let index = 0;
  let flipped = false;

  function show(announce = true) {
    const item = cards[index];
    replace(front, el("span", { class: "face-label" }, "Question"), el("span", { class: "face-text" }, item.front));
    replace(back, el("span", { class: "face-label" }, "Answer"), el("span", { class: "face-text" }, item.back));
    card.classList.toggle("flipped", flipped);
    front.setAttribute("aria-hidden", String(flipped));
    back.setAttribute("aria-hidden", String(!flipped));
    position.textContent = `Card ${index + 1} of ${cards.length}, ${flipped ? "answer" : "question"} side`;
    if (announce) announcer.textContent = `${position.textContent}: ${flipped ? item.back : item.front}`;
    level.textContent = item.difficulty ? `Difficulty: ${item.difficulty}` : "";
    // aria-disabled rather than disabled: a button that is disabled while it has focus drops the focus.
    previous.setAttribute("aria-disabled", String(index === 0));
    next.setAttribute("aria-disabled", String(index === cards.length - 1));
    replace(evidence, evidenceBlock(item.evidence));
  }

  function go(to) {
    const bounded = Math.max(0, Math.min(cards.length - 1, to));
    if (bounded === index) return;
    index = bounded;
    flipped = false;
    show();
  }

  card.addEventListener("click", () => {
    flipped = !flipped;
    show();
  });
  card.addEventListener("keydown", (event) => {
    const moves = { ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1, ArrowUp: index - 1, Home: 0, End: cards.length - 1 };
    if (event.key in moves && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      go(moves[event.key]);
    }
  });
  previous.addEventListener("click", () => go(index - 1));
  next.addEventListener("click", () => go(index + 1));
  show(false);

  return el(
    "div",
    { class: "deck" },
    position,
    announcer,
    card,
    el("p", { class: "hint", id: helpId }, "Space or Enter turns the card over; the arrow keys go to the next or previous card."),
    level,
    el("div", { class: "actions" }, previous, next),
    evidence,
  );
}
