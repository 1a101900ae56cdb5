// The page's wiring: the key form, the job form, the job being followed and the list of recent jobs.

import { ApiError, api, key } from "./api.js";
import { read, showMode, showTypes } from "./form.js";
import { JobView } from "./job.js";
import { clearError, showError } from "./notice.js";
import { showRecent } from "./recent.js";

const $ = (id) => document.getElementById(id);
const view = new JobView({ onFinished: () => showRecent(openJob) });
let submitting = false;

async function openJob(id) {
  clearError();
  try {
    view.open(await api.job(id));
  } catch (error) {
    refused(error);
  }
}

/** Show an API refusal; a refused key is forgotten and the key field gets the focus. */
function refused(error) {
  if (error instanceof ApiError && error.status === 401) {
    key.forget();
    $("key-status").textContent = "No key: the last one was refused.";
    showError(error, { focus: false });
    $("api-key").focus();
    return;
  }
  showError(error);
}

async function useKey() {
  $("key-status").textContent = "Checking the key…";
  try {
    showTypes(await api.contentTypes());
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) $("key-status").textContent = "The key is set for this tab.";
    refused(error);
    return false;
  }
  $("key-status").textContent = "The key works and is kept for this tab.";
  showRecent(openJob);
  return true;
}

$("key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  clearError();
  const value = $("api-key").value.trim();
  if (!value) {
    showError(new ApiError(0, "invalid_form", "Enter an API key."), { focus: false });
    $("api-key").focus();
    return;
  }
  key.set(value);
  if (await useKey()) $("make-title").scrollIntoView({ block: "start" });
});

$("forget-key").addEventListener("click", () => {
  key.forget();
  view.close();
  $("api-key").value = "";
  $("key-status").textContent = "The key is forgotten. Enter one to go on.";
  $("type-list").replaceChildren();
  $("types-status").textContent = "Enter your API key to see the materials this server makes.";
  $("recent-list").replaceChildren();
  $("recent-status").textContent = "Enter your API key to see your jobs.";
  $("api-key").focus();
});

for (const radio of document.querySelectorAll('input[name="mode"]')) radio.addEventListener("change", showMode);

$("job-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (submitting) return;
  clearError();
  if (!key.get()) {
    showError(new ApiError(0, "no_key", "Enter your API key first (section 1 of the page)."), { focus: false });
    $("api-key").focus();
    return;
  }
  const request = read();
  if (request.problem) {
    showError(new ApiError(0, "invalid_form", request.problem.message), { focus: false });
    $(request.problem.field)?.focus();
    return;
  }
  submitting = true;
  $("generate").setAttribute("aria-disabled", "true");
  const status = $("submit-status");
  try {
    const body = request.body;
    if (request.mode === "file") {
      status.textContent = `Uploading ${request.file.name}…`;
      const source = await api.upload(request.file, request.title);
      status.textContent = `Uploaded “${source.title ?? request.file.name}” (${source.characters.toLocaleString()} characters). Starting the job…`;
      body.source_ids = [source.id];
    } else {
      status.textContent = "Starting the job…";
    }
    const job = await api.createJob(body);
    status.textContent = "The job has started: its progress is below.";
    view.open(job);
    showRecent(openJob);
  } catch (error) {
    status.textContent = "";
    refused(error);
  } finally {
    submitting = false;
    $("generate").removeAttribute("aria-disabled");
  }
});

$("recent-refresh").addEventListener("click", () => showRecent(openJob));

showMode();
if (key.get()) {
  $("api-key").value = key.get();
  useKey();
}
