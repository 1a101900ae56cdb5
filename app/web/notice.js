// The page's one error box (role="alert"): what the API said, in its own words (error.message), with what to
// do next for a refused key, a rate limit or a request the engine cannot serve.

import { el, replace } from "./dom.js";

const box = () => document.getElementById("alert");

function heading(error) {
  if (error.code === "invalid_form") return "Check the form";
  switch (error.status) {
    case 0:
      return error.code === "no_key" ? "An API key is needed" : "The server could not be reached";
    case 401:
      return "The API key was refused";
    case 403:
      return "This key may not do that";
    case 404:
      return "Not found";
    case 409:
      return "Not ready";
    case 413:
      return "Too large";
    case 422:
      return "The request was refused";
    case 429:
      return "Too many requests";
    default:
      return error.status >= 500 ? "The server failed" : "The request failed";
  }
}

function detailItems(details) {
  if (Array.isArray(details)) {
    return details.map((detail) =>
      detail && typeof detail === "object"
        ? el("li", {}, detail.field ? el("code", {}, detail.field) : null, detail.field ? ": " : "", detail.message ?? JSON.stringify(detail))
        : el("li", {}, String(detail)),
    );
  }
  if (details && typeof details === "object") {
    return Object.entries(details).map(([name, value]) => el("li", {}, el("code", {}, name), `: ${typeof value === "object" ? JSON.stringify(value) : value}`));
  }
  return [];
}

function advice(error) {
  if (error.status === 401 || error.code === "no_key") return "Check the key in section 1, then try again.";
  if (error.status === 429) {
    return error.retryAfter !== null
      ? `Try again in ${error.retryAfter} second${error.retryAfter === 1 ? "" : "s"}.`
      : "Wait a little, then try again.";
  }
  if (error.status === 0 && error.code === "network") return "Check the connection, then try again.";
  if (error.status >= 500 && error.requestId) return `If it happens again, quote request id ${error.requestId}.`;
  return null;
}

/** Show `error` (an ApiError, or any Error) and move focus to it, so a keyboard user lands on the message. */
export function showError(error, { focus = true } = {}) {
  const node = box();
  const items = detailItems(error.details);
  const next = advice(error);
  replace(
    node,
    el("h2", { class: "alert-title" }, heading(error)),
    el("p", { class: "alert-message" }, error.message || String(error)),
    items.length ? el("ul", { class: "alert-details" }, items) : null,
    next ? el("p", { class: "alert-advice" }, next) : null,
  );
  node.classList.add("is-shown");
  if (focus) node.focus();
}

export function clearError() {
  const node = box();
  node.replaceChildren();
  node.classList.remove("is-shown");
}
