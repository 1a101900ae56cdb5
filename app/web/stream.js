// Following a job: its Server-Sent Events read with a streaming fetch (EventSource cannot send X-API-Key),
// resumed with Last-Event-ID when the server closes a long stream, and polling GET /v1/jobs/{id} with
// If-None-Match when streaming fails.

import { ApiError, request } from "./api.js";

export const FINISHED = new Set(["succeeded", "partial", "failed", "cancelled"]);
const POLL_MS = 1000;

/** The text/event-stream format, fed chunk by chunk: push() answers the events each chunk completes. */
export class EventStreamParser {
  constructor() {
    this.buffer = "";
    this.reset();
    this.lastEventId = null;
  }

  reset() {
    this.type = "";
    this.data = [];
  }

  push(chunk) {
    this.buffer += chunk;
    const events = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (match === null) break;
      // A "\r" at the very end may be the first half of "\r\n": wait for the next chunk.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  line(line) {
    if (line === "") {
      if (this.data.length === 0 && !this.type) return null;
      const event = { type: this.type || "message", data: this.data.join("\n"), id: this.lastEventId };
      this.reset();
      return event;
    }
    if (line.startsWith(":")) return null; // a heartbeat comment
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.type = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.lastEventId = value;
    return null;
  }
}

/** A job's state in the shape of a `change` event, from a whole job (a poll or a `snapshot` event). */
export function changeOf(job) {
  const artifacts = {};
  for (const [type, state] of Object.entries(job.artifacts || {})) artifacts[type] = state.status;
  const audio = job.artifacts?.podcast_script?.audio?.status;
  return { version: job.version, status: job.status, artifacts, progress: job.progress, ...(audio ? { audio } : {}) };
}

/** One connection to the event stream; answers true once `end` arrived, false when the server closed early. */
async function streamOnce(jobId, parser, { onChange, signal }) {
  const headers = { Accept: "text/event-stream" };
  if (parser.lastEventId) headers["Last-Event-ID"] = parser.lastEventId;
  const response = await request(`/v1/jobs/${encodeURIComponent(jobId)}/events`, { headers, signal });
  if (!response.body) throw new Error("this browser cannot read a response as a stream");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let received = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { ended: false, received };
      for (const event of parser.push(value)) {
        received += 1;
        if (event.type === "change") onChange(JSON.parse(event.data));
        else if (event.type === "snapshot") onChange(changeOf(JSON.parse(event.data)));
        else if (event.type === "deleted") throw new ApiError(404, "deleted", "This job was deleted.");
        else if (event.type === "end") return { ended: true, received };
      }
    }
  } finally {
    reader.cancel().catch(() => {}); // already closed, or aborted: nothing left to release
  }
}

async function poll(jobId, { onChange, signal }) {
  let etag = null;
  for (;;) {
    const headers = etag ? { "If-None-Match": etag } : {};
    const response = await request(`/v1/jobs/${encodeURIComponent(jobId)}`, { headers, signal });
    if (response.status !== 304) {
      etag = response.headers.get("ETag");
      const job = await response.json();
      onChange(changeOf(job));
      if (FINISHED.has(job.status)) return;
    }
    await sleep(POLL_MS, signal);
  }
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new DOMException("aborted", "AbortError"));
      },
      { once: true },
    );
  });
}

/**
 * Follow a job until it finishes: `onChange({version, status, artifacts, progress})` for each change, `onChannel`
 * with "live" or "polling". Rejects with the ApiError of a refusal (a revoked key, a deleted job), or an
 * AbortError when `signal` aborts.
 */
export async function follow(jobId, { onChange, onChannel, signal }) {
  const parser = new EventStreamParser();
  try {
    onChannel("live");
    for (;;) {
      const { ended, received } = await streamOnce(jobId, parser, { onChange, signal });
      if (ended) return;
      if (received === 0) break; // closed at once: something between us and the server cuts streams
      // The server ends a stream after CF_EVENTS_MAX_SECONDS: resume after the last event.
    }
  } catch (error) {
    if (error.name === "AbortError") throw error;
    if (error instanceof ApiError && [401, 403, 404].includes(error.status)) throw error;
    // Anything else (a proxy that buffers or drops streams, a 503 with every stream slot taken): poll instead.
  }
  onChannel("polling");
  await poll(jobId, { onChange, signal });
}
