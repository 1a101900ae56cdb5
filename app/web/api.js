// The /v1 API as the page uses it: the key from this tab's sessionStorage in X-API-Key, and every refusal
// turned into an ApiError carrying the error envelope's message, details and Retry-After.

const KEY_ITEM = "content-factory.api-key";

export const key = {
  get() {
    return sessionStorage.getItem(KEY_ITEM) || "";
  },
  set(value) {
    sessionStorage.setItem(KEY_ITEM, value);
  },
  forget() {
    sessionStorage.removeItem(KEY_ITEM);
  },
};

export class ApiError extends Error {
  constructor(status, code, message, { details = null, retryAfter = null, requestId = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
    this.requestId = requestId;
  }
}

/** The ApiError a non-2xx response stands for, from its error envelope when it has one. */
export async function errorOf(response) {
  let envelope = null;
  try {
    envelope = await response.json();
  } catch {
    envelope = null; // a proxy's HTML page, or no body: the status line says what happened
  }
  const error = envelope && typeof envelope === "object" ? envelope.error : null;
  const retry = Number.parseInt(response.headers.get("Retry-After") || "", 10);
  const message =
    (error && typeof error.message === "string" && error.message) ||
    `The server answered ${response.status} ${response.statusText}`.trim() + ".";
  return new ApiError(response.status, (error && error.code) || `http_${response.status}`, message, {
    details: error ? error.details : null,
    retryAfter: Number.isFinite(retry) ? retry : null,
    requestId: (error && error.request_id) || response.headers.get("X-Request-ID"),
  });
}

/**
 * fetch() a /v1 path with the key. `json` sends a JSON body, `form` a FormData (multipart, the browser sets the
 * boundary). Answers the Response for 2xx and 304; throws ApiError otherwise, or when no key is set.
 */
export async function request(path, { method = "GET", json, form, headers = {}, signal } = {}) {
  const apiKey = key.get();
  if (!apiKey) {
    throw new ApiError(0, "no_key", "Enter your API key first (section 1 of the page).");
  }
  const sent = { "X-API-Key": apiKey, Accept: "application/json", ...headers };
  let body;
  if (json !== undefined) {
    sent["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  let response;
  try {
    // no-store: the browser keeps no copy of API answers, and an If-None-Match the page sends reaches the server.
    response = await fetch(path, { method, headers: sent, body, signal, cache: "no-store" });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "The server could not be reached. Check the connection and try again.");
  }
  if (!response.ok && response.status !== 304) throw await errorOf(response);
  return response;
}

export async function getJson(path, options) {
  return (await request(path, options)).json();
}

export const api = {
  contentTypes: () => getJson("/v1/content-types"),
  recentJobs: () => getJson("/v1/jobs?limit=10"),
  job: (id) => getJson(`/v1/jobs/${encodeURIComponent(id)}`),
  artifact: (id, type) => getJson(`/v1/jobs/${encodeURIComponent(id)}/artifacts/${encodeURIComponent(type)}`),
  createJob: (body) => getJson("/v1/jobs", { method: "POST", json: body }),
  upload: (file, title) => {
    const form = new FormData();
    form.append("file", file, file.name);
    if (title) form.append("title", title);
    return getJson("/v1/sources", { method: "POST", form });
  },
  passage: (sourceId, start, end) =>
    getJson(`/v1/sources/${encodeURIComponent(sourceId)}/text?start=${start}&end=${end}`),
};
