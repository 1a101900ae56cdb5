// One job on the page: a row per artifact whose state follows the job live, each artifact fetched as soon as it
// succeeds, then opened for study or downloaded as JSON.

import { api } from "./api.js";
import { nameOf, render } from "./artifacts.js";
import { el, replace } from "./dom.js";
import { showError } from "./notice.js";
import { FINISHED, changeOf, follow } from "./stream.js";

const STATES = {
  pending: "waiting for the outline",
  queued: "queued",
  running: "being made…",
  succeeded: "ready",
  failed: "failed",
  cancelled: "cancelled",
};
const $ = (id) => document.getElementById(id);

function titleOf(job) {
  return job.title || job.request?.topic || `Job ${job.id}`;
}

function slug(text) {
  return String(text).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "job";
}

/** Save the artifact's JSON as a file, through a Blob URL (nothing leaves the browser). */
export function download(artifact, title) {
  const blob = new Blob([JSON.stringify(artifact, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: `${slug(title)}-${artifact.type}.json`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export class JobView {
  constructor({ onFinished }) {
    this.onFinished = onFinished;
    this.controller = null;
  }

  /** Show `job` (a JobPublic): its rows, its ready artifacts, and its changes until it finishes. */
  open(job, { focus = true } = {}) {
    this.controller?.abort();
    this.controller = new AbortController();
    this.job = job;
    this.rows = new Map();
    this.artifacts = new Map();
    this.views = new Map();
    this.failures = new Set();
    this.audioRow = null;
    this.explaining = false;
    $("study").hidden = true;
    $("job").hidden = false;
    $("job-name").textContent = titleOf(job);
    $("job-channel").textContent = "";
    replace($("artifact-list"), Object.keys(job.artifacts).map((type) => this.row(type)));
    this.apply(changeOf(job), job);
    if (focus) $("job-title").focus();
    if (!FINISHED.has(job.status)) this.watch(job.id, this.controller.signal);
  }

  row(type) {
    const state = el("span", { class: "artifact-state" });
    const name = nameOf(type);
    const open = el("button", { type: "button", class: "open", hidden: true }, "Open", el("span", { class: "visually-hidden" }, ` ${name.toLowerCase()}`));
    const save = el("button", { type: "button", class: "download", hidden: true }, "Download", el("span", { class: "visually-hidden" }, ` ${name.toLowerCase()} as JSON`));
    open.addEventListener("click", () => this.study(type));
    save.addEventListener("click", () => download(this.artifacts.get(type), titleOf(this.job)));
    const item = el("li", { class: "artifact-row", "data-type": type }, el("span", { class: "artifact-name" }, name), state, el("span", { class: "row-actions" }, open, save));
    this.rows.set(type, { item, state, open, save, status: null });
    return item;
  }

  async watch(id, signal) {
    try {
      await follow(id, {
        signal,
        onChange: (change) => this.apply(change),
        onChannel: (channel) => {
          $("job-channel").textContent =
            channel === "live"
              ? "Live updates from the server."
              : "Live updates are unavailable here, so the page checks the job every second.";
        },
      });
      await this.finish(id, signal);
    } catch (error) {
      if (error.name !== "AbortError") showError(error);
    }
  }

  async finish(id, signal) {
    const job = await api.job(id);
    if (signal.aborted) return;
    this.job = job;
    $("job-name").textContent = titleOf(job);
    this.apply(changeOf(job), job);
    this.onFinished?.(job);
  }

  /** A change ({version, status, artifacts: {type: status}, progress}); `job` when the whole job is at hand. */
  apply(change, job = null) {
    const { done, total, percent } = change.progress;
    $("job-progress").value = percent;
    $("job-percent").textContent = `${percent}%`;
    const ready = Object.values(change.artifacts).filter((status) => status === "succeeded").length;
    const failed = Object.values(change.artifacts).filter((status) => status === "failed").length;
    let text;
    if (change.status === "succeeded") text = `Finished: all ${total} materials are ready.`;
    else if (FINISHED.has(change.status)) text = `Finished (${change.status}): ${ready} of ${total} ready${failed ? `, ${failed} failed` : ""}.`;
    else text = `${change.status === "queued" ? "Queued" : "Working"}: ${ready} of ${total} ready (${done} done).`;
    $("job-status").textContent = text;

    for (const [type, status] of Object.entries(change.artifacts)) {
      const row = this.rows.get(type) ?? this.addRow(type);
      if (row.status === status) continue;
      row.status = status;
      row.item.dataset.status = status;
      row.state.textContent = STATES[status] ?? status;
      if (status === "succeeded" && !this.artifacts.has(type)) this.fetchArtifact(type, row);
      if (status === "failed") this.failures.add(type);
    }
    if (change.audio) this.showAudio(change.audio);
    if (job) this.explainFailures(job);
    else if (!this.explaining && [...this.failures].some((type) => !this.rows.get(type).explained)) {
      // A change names statuses only: the failure's message is on the job.
      this.explaining = true;
      api
        .job(this.job.id)
        .then((fresh) => this.explainFailures(fresh))
        .catch(() => {}) // the row keeps "failed"; the job's final read explains it
        .finally(() => {
          this.explaining = false;
        });
    }
  }

  /** The podcast's audio step, a row of its own: its file is the podcast's `mp3` export. */
  showAudio(status) {
    if (!this.audioRow) {
      const state = el("span", { class: "artifact-state" });
      const item = el("li", { class: "artifact-row", "data-type": "podcast_script.audio" }, el("span", { class: "artifact-name" }, "Podcast read aloud"), state);
      $("artifact-list").append(item);
      this.audioRow = { item, state };
    }
    const { item, state } = this.audioRow;
    item.dataset.status = status;
    state.textContent = status === "pending" ? "waiting for the script" : status === "succeeded" ? "ready: the podcast's mp3 export" : STATES[status] ?? status;
  }

  addRow(type) {
    $("artifact-list").append(this.row(type));
    return this.rows.get(type);
  }

  explainFailures(job) {
    for (const type of this.failures) {
      const row = this.rows.get(type);
      const message = job.artifacts[type]?.error?.message;
      if (message && !row.explained) {
        row.state.textContent = `failed: ${message}`;
        row.explained = true;
      }
    }
  }

  async fetchArtifact(type, row) {
    const id = this.job.id;
    try {
      const artifact = await api.artifact(id, type);
      if (this.job.id !== id) return; // another job was opened meanwhile
      this.artifacts.set(type, artifact);
      row.open.hidden = false;
      row.save.hidden = false;
    } catch (error) {
      row.state.textContent = `ready, but it could not be loaded: ${error.message}`;
    }
  }

  /** Open one artifact for study and move focus to its heading. */
  study(type) {
    const artifact = this.artifacts.get(type);
    if (!artifact) return;
    if (!this.views.has(type)) this.views.set(type, render(artifact)); // kept: a half-done quiz survives
    const back = el("button", { type: "button", class: "back" }, "Back to the list of materials");
    back.addEventListener("click", () => this.rows.get(type).open.focus());
    const save = el("button", { type: "button" }, "Download", el("span", { class: "visually-hidden" }, ` ${nameOf(type).toLowerCase()} as JSON`));
    save.addEventListener("click", () => download(artifact, titleOf(this.job)));
    replace($("study-body"), el("div", { class: "actions study-actions" }, back, save), this.views.get(type));
    $("study-title").textContent = `${nameOf(type)}: ${titleOf(this.job)}`;
    $("study").hidden = false;
    $("study-title").focus();
  }

  close() {
    this.controller?.abort();
  }
}
