// "Your recent jobs": the newest ten of this key (GET /v1/jobs?limit=10); choosing one opens it.

import { api } from "./api.js";
import { el, replace } from "./dom.js";

const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export async function showRecent(onOpen) {
  const status = document.getElementById("recent-status");
  const list = document.getElementById("recent-list");
  let page;
  try {
    page = await api.recentJobs();
  } catch (error) {
    replace(list);
    status.textContent = `The list could not be loaded: ${error.message}`;
    return;
  }
  status.textContent = page.items.length ? "" : "No jobs yet: the ones you make appear here.";
  replace(
    list,
    page.items.map((job) => {
      const title = job.title || job.request?.topic || job.id;
      const button = el(
        "button",
        { type: "button", class: "recent-job" },
        el("span", { class: "recent-title" }, title),
        el("span", { class: "recent-meta" }, `${job.status}, ${job.progress.done} of ${job.progress.total} done · ${when.format(new Date(job.created_at))}`),
      );
      button.addEventListener("click", () => onOpen(job.id));
      return el("li", {}, button);
    }),
  );
}
