// "Show source passage": the quotes an item rests on, opened on demand. For an uploaded source the passage is
// fetched with its surrounding text (GET /v1/sources/{id}/text?start=&end=); a pasted text has no source id,
// so its quote is shown alone.

import { api } from "./api.js";
import { el, replace, uid } from "./dom.js";

function where(item, span) {
  const parts = [`characters ${item.start}–${item.end}`];
  const page = span?.page ?? item.page;
  if (page !== null && page !== undefined) parts.unshift(`page ${page}`);
  return parts.join(", ");
}

function passage(item) {
  const figure = el("figure", { class: "passage" });
  const quote = el("blockquote", {}, el("p", {}, item.quote));
  const caption = el("figcaption", {}, `From the source, ${where(item)}`);
  figure.append(quote, caption);
  if (item.source_id) {
    api
      .passage(item.source_id, item.start, item.end)
      .then((span) => {
        replace(
          quote,
          el(
            "p",
            {},
            span.before ? `…${span.before}` : "",
            el("mark", {}, span.text),
            span.after ? `${span.after}…` : "",
          ),
        );
        caption.textContent = `From the source, ${where(item, span)}, with its context`;
      })
      .catch((error) => {
        caption.textContent = `From the source, ${where(item)} (the context could not be loaded: ${error.message})`;
      });
  }
  return figure;
}

/** A toggle button and a hidden panel for `evidence`; nothing when the item has none. */
export function evidenceBlock(evidence) {
  if (!Array.isArray(evidence) || evidence.length === 0) return null;
  const panelId = uid("evidence");
  const label = evidence.length === 1 ? "Show source passage" : `Show source passages (${evidence.length})`;
  const hide = evidence.length === 1 ? "Hide source passage" : "Hide source passages";
  const panel = el("div", { class: "evidence-panel", id: panelId, hidden: true });
  const button = el("button", { type: "button", class: "evidence-toggle", "aria-expanded": "false", "aria-controls": panelId }, label);
  let filled = false;
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    if (open && !filled) {
      panel.append(...evidence.map(passage));
      filled = true;
    }
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? hide : label;
    panel.hidden = !open;
  });
  return el("div", { class: "evidence" }, button, panel);
}
