// The "what to learn from" form: the material (a pasted text, a document to upload, or a topic), the options,
// and the materials to make with their controls, drawn from GET /v1/content-types (ranges and defaults
// included), so the form offers exactly what the server accepts.

import { el, replace, uid } from "./dom.js";
import { nameOf } from "./artifacts.js";

const form = () => document.getElementById("job-form");

/** Show the fields of the chosen material only. */
export function showMode() {
  const mode = form().elements.namedItem("mode").value;
  for (const panel of form().querySelectorAll("[data-mode]")) panel.hidden = panel.dataset.mode !== mode;
}

function switchField(type, name, control) {
  const id = uid(`${type}-${name}`);
  const hintId = `${id}-hint`;
  const input = el("input", {
    id,
    type: "checkbox",
    name: `${type}.${name}`,
    checked: control.default === true,
    disabled: control.available === false,
    "aria-describedby": hintId,
    "data-type": type,
    "data-control": name,
  });
  const hint = control.available === false ? "This server has no speech engine, so it cannot do this." : "";
  return el(
    "div",
    { class: "control choice" },
    input,
    el("label", { for: id }, (control.description ?? name).split(/[;.]/)[0]),
    el("span", { class: "hint", id: hintId }, hint),
  );
}

function controlField(type, name, control) {
  if (control.type === "boolean") return switchField(type, name, control);
  const id = uid(`${type}-${name}`);
  const hintId = `${id}-hint`;
  const range = control.minimum !== undefined && control.maximum !== undefined ? `${control.minimum}–${control.maximum}` : "";
  const input = el("input", {
    id,
    type: "number",
    inputmode: "numeric",
    name: `${type}.${name}`,
    min: control.minimum,
    max: control.maximum,
    step: control.type === "integer" ? 1 : "any",
    value: control.default,
    "aria-describedby": hintId,
    "data-type": type,
    "data-control": name,
  });
  return el(
    "div",
    { class: "control" },
    el("label", { for: id }, `${control.description ?? name}`),
    input,
    el("span", { class: "hint", id: hintId }, range ? `From ${range}; ${control.default} unless you change it.` : ""),
  );
}

/** The artifact checkboxes and their controls, from the catalogue. */
export function showTypes(catalogue) {
  const list = document.getElementById("type-list");
  const items = catalogue.items.map((item) => {
    const id = `type-${item.type}`;
    const descriptionId = `${id}-description`;
    const always = item.type === "outline" || item.derived_from_outline === false;
    const box = el("input", {
      type: "checkbox",
      id,
      name: "artifacts",
      value: item.type,
      checked: true,
      disabled: always,
      "aria-describedby": descriptionId,
    });
    const controls = Object.entries(item.controls ?? {}).map(([name, control]) => controlField(item.type, name, control));
    const group = controls.length ? el("div", { class: "controls" }, controls) : null;
    box.addEventListener("change", () => {
      if (group) group.hidden = !box.checked;
    });
    return el(
      "li",
      { class: "type" },
      el("div", { class: "choice" }, box, el("label", { for: id }, nameOf(item.type))),
      el("p", { class: "hint", id: descriptionId }, item.description),
      group,
    );
  });
  replace(list, items);
  document.getElementById("types-status").textContent = `The ${catalogue.engine} engine makes these. All are chosen; untick what you do not need.`;
}

function trimmed(name) {
  const field = form().elements.namedItem(name);
  return field && field.value.trim() ? field.value.trim() : null;
}

/**
 * The form as {mode, file, title, body}: `body` is the POST /v1/jobs request without its source (the caller adds
 * source_text, source_ids or topic), or a problem {field, message} to show instead.
 */
export function read() {
  const elements = form().elements;
  const mode = elements.namedItem("mode").value;
  const body = { language: trimmed("language") || "en" };
  for (const name of ["difficulty", "audience", "focus"]) {
    const value = trimmed(name);
    if (value) body[name] = value;
  }
  const chosen = [...form().querySelectorAll('input[name="artifacts"]')].filter((box) => box.checked).map((box) => box.value);
  if (chosen.length === 0) return { problem: { field: "type-list", message: "Choose at least one material to make." } };
  body.artifacts = chosen;
  const options = {};
  for (const input of form().querySelectorAll("input[data-control]")) {
    if (!chosen.includes(input.dataset.type)) continue;
    if (input.type === "checkbox") {
      if (input.checked && !input.disabled) (options[input.dataset.type] ??= {})[input.dataset.control] = true;
      continue;
    }
    if (!input.checkValidity() || input.value === "") {
      return { problem: { field: input.id, message: `${input.labels[0].textContent}: enter a whole number from ${input.min} to ${input.max}.` } };
    }
    (options[input.dataset.type] ??= {})[input.dataset.control] = Number(input.value);
  }
  if (Object.keys(options).length) body.options = options;

  if (mode === "text") {
    const text = elements.namedItem("source_text").value;
    if (!text.trim()) return { problem: { field: "source-text", message: "Paste the text to learn from." } };
    body.source_text = text;
  } else if (mode === "topic") {
    const topic = trimmed("topic");
    if (!topic || topic.length < 3) return { problem: { field: "topic", message: "Name a topic of at least 3 characters." } };
    body.topic = topic;
  } else {
    const file = elements.namedItem("file").files[0];
    if (!file) return { problem: { field: "source-file", message: "Choose a document to upload." } };
    return { mode, file, title: trimmed("title"), body };
  }
  return { mode, body };
}
