// Building elements from data. Text always goes in as text (textContent), never as markup: whatever the API
// returns is shown, never interpreted.

let counter = 0;

/** A fresh id for aria-controls, aria-describedby and label pairs. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * el("p", {class: "hint", id: "x"}, "text", child, ...): attributes are set with setAttribute (booleans add or
 * leave out the attribute), "on" + event names add listeners, children are nodes or strings (as text).
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (value === true) {
      node.setAttribute(name, "");
    } else {
      node.setAttribute(name, String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace every child of `node`. */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

/** Paragraphs from a text with blank lines between them (generated texts use them). */
export function paragraphs(text, attributes = {}) {
  return String(text ?? "")
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => el("p", attributes, part));
}

/** "podcast_script" -> "podcast script", for a type the page has no name for. */
export function humanise(name) {
  const words = String(name).replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
