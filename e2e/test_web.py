"""The study page in a real browser (Debian's Chromium driven by Playwright) against a real uvicorn process.

Every page state a test reaches is screenshot into a folder named after the test and checked: no CSP violation,
no uncaught script error, no serious or critical axe-core finding (``e2e.browser.PageStates``). Two of the
screenshots (the form and the flashcards) are kept in ``docs/screenshots/``, rewritten only when they change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect, sync_playwright

from e2e.browser import PageStates, focus_ring, focused, launch, require_chromium, tab_until
from e2e.conftest import KEY
from e2e.server import ROOT, Server

pytestmark = pytest.mark.e2e

PHOTOSYNTHESIS = ROOT / "tests" / "fixtures" / "texts" / "photosynthesis.txt"
LECTURE = ROOT / "tests" / "fixtures" / "texts" / "markup" / "sorting_lecture.md"
DOCS_SHOTS = ROOT / "docs" / "screenshots"
ALL_READY = "Finished: all 9 materials are ready."


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        running = launch(playwright)
        yield running
        running.close()


@pytest.fixture
def states(browser: Browser, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PageStates]:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    states = PageStates(page, tmp_path / request.node.name)
    try:
        yield states
        states.assert_clean("the end of the test")  # nothing went wrong after the last checked state either
    finally:
        context.close()


@pytest.fixture
def limited_server(tmp_path: Path) -> Iterator[Server]:
    """The e2e server, with one generation request a minute per client address."""
    running = Server(
        {
            "CF_SQLITE_PATH": str(tmp_path / "limited.db"),
            "CF_STORAGE_DIR": str(tmp_path / "limited-storage"),
            "CF_BOOTSTRAP_ADMIN_KEY": KEY,
            "CF_ENVIRONMENT": "test",
            "CF_RATE_LIMIT_PER_IP": "1/minute",
        },
        tmp_path / "limited.log",
    )
    running.start()
    yield running
    running.stop()


def artifact(server: Server, job_id: str, kind: str) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/v1/jobs/{job_id}/artifacts/{kind}", headers={"X-API-Key": KEY})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def newest_job(server: Server) -> str:
    response = httpx.get(f"{server.url}/v1/jobs?limit=1", headers={"X-API-Key": KEY})
    job_id: str = response.json()["items"][0]["id"]
    return job_id


def use_key(page: Page, key: str = KEY) -> None:
    page.get_by_label("API key", exact=True).fill(key)
    page.get_by_role("button", name="Use this key").click()


def paste_and_generate(page: Page, text: str) -> None:
    expect(page.get_by_role("checkbox", name="Flashcards")).to_be_checked()  # the catalogue has arrived
    page.get_by_label("Text", exact=True).fill(text)
    page.get_by_role("button", name="Generate").click()


def keep_in_docs(locator: Locator, name: str, folder: Path) -> None:
    """Screenshot ``locator`` into the test's folder, and into docs/screenshots/ when the picture changed."""
    shot = locator.screenshot(path=folder / f"docs-{name}", animations="disabled")
    kept = DOCS_SHOTS / name
    if not kept.exists() or kept.read_bytes() != shot:
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        kept.write_bytes(shot)


def record_statuses(page: Page) -> None:
    """Keep every text the live progress line shows (a screen reader hears each one)."""
    page.evaluate(
        """() => { window.__statuses = [];
        new MutationObserver((records) => { for (const r of records) for (const n of r.addedNodes)
          window.__statuses.push(n.textContent); })
        .observe(document.getElementById("job-status"), {childList: true, subtree: true, characterData: true}); }"""
    )


def open_artifact(page: Page, name: str) -> None:
    page.get_by_role("button", name=f"Open {name}", exact=True).click()
    expect(page.locator("#study-title")).to_be_focused()


def test_a_pasted_text_becomes_materials_to_study(states: PageStates, server: Server) -> None:
    page = states.page
    page.goto(server.url)
    expect(page.get_by_role("heading", name="Make study materials")).to_be_visible()
    states.check("start")
    use_key(page)
    expect(page.locator("#key-status")).to_have_text("The key works and is kept for this tab.")
    expect(page.get_by_label("Number of cards.")).to_have_attribute("max", "50")  # ranges from /v1/content-types
    states.check("form")
    keep_in_docs(page.locator("section", has=page.locator("#make-title")), "form.png", states.folder)

    record_statuses(page)
    paste_and_generate(page, PHOTOSYNTHESIS.read_text())
    expect(page.locator("#job-title")).to_be_focused()
    expect(page.locator("#job-channel")).to_have_text("Live updates from the server.")
    expect(page.locator("#job-status")).to_have_text(ALL_READY)
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    statuses: list[str] = page.evaluate("window.__statuses")
    assert len(set(statuses)) >= 3 and statuses[-1] == ALL_READY, statuses  # it moved, change by change
    expect(page.locator(".artifact-row[data-status=succeeded]")).to_have_count(9)
    expect(page.get_by_role("button", name="Open quiz", exact=True)).to_be_visible()
    states.check("progress")
    job_id = newest_job(server)

    # Flashcards: Space and Enter turn the card, the arrows move through the deck.
    cards = artifact(server, job_id, "flashcards")["content"]["cards"]
    open_artifact(page, "flashcards")
    card = page.locator("button.card")
    expect(card.locator(".front .face-text")).to_have_text(cards[0]["front"])
    states.check("flashcards")
    keep_in_docs(page.locator("#study"), "flashcards.png", states.folder)
    card.focus()
    page.keyboard.press("Space")
    expect(card).to_have_class(re.compile(r"\bflipped\b"))
    expect(card.locator(".back")).to_have_attribute("aria-hidden", "false")
    expect(card.locator(".back .face-text")).to_have_text(cards[0]["back"])
    expect(page.locator(".deck-position")).to_have_text(f"Card 1 of {len(cards)}, answer side")
    states.check("flashcard-answer")
    page.keyboard.press("Enter")
    expect(card).not_to_have_class(re.compile(r"\bflipped\b"))
    page.keyboard.press("ArrowRight")
    expect(page.locator(".deck-position")).to_have_text(f"Card 2 of {len(cards)}, question side")
    expect(card.locator(".front .face-text")).to_have_text(cards[1]["front"])
    page.keyboard.press("ArrowLeft")
    expect(card.locator(".front .face-text")).to_have_text(cards[0]["front"])

    # Evidence on demand: the quote the card rests on (a pasted text has no source to fetch context from).
    toggle = page.locator(".deck-evidence .evidence-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".deck-evidence blockquote").first).to_have_text(cards[0]["evidence"][0]["quote"])
    states.check("evidence")

    # The quiz: one right answer, one wrong, each checked with its verdict and explanation.
    questions = artifact(server, job_id, "quiz")["content"]["questions"]
    open_artifact(page, "quiz")
    first, second = page.locator(".quiz > li").nth(0), page.locator(".quiz > li").nth(1)
    first.get_by_label(questions[0]["options"][questions[0]["answer_index"]], exact=True).check()
    first.get_by_role("button", name="Check answer").click()
    expect(first.locator(".verdict")).to_have_text("Correct.")
    expect(first.locator(".explanation")).to_have_text(questions[0]["explanation"])
    wrong = (questions[1]["answer_index"] + 1) % len(questions[1]["options"])
    second.get_by_label(questions[1]["options"][wrong], exact=True).check()
    second.get_by_role("button", name="Check answer").click()
    answer = questions[1]["options"][questions[1]["answer_index"]]
    expect(second.locator(".verdict")).to_have_text(f"Not quite: the answer is “{answer}”.")
    expect(page.locator(".score")).to_have_text(f"2 of {len(questions)} checked, 1 correct.")
    states.check("quiz-checked")

    # The FAQ is an accordion.
    items = artifact(server, job_id, "faq")["content"]["items"]
    open_artifact(page, "faq")
    first_item = page.locator(".faq details").first
    first_item.locator("summary").click()
    expect(first_item).to_have_attribute("open", "")
    expect(first_item.locator("p").first).to_be_visible()
    assert items[0]["question"] == first_item.locator("summary").inner_text()
    states.check("faq-open")

    # The other views: the outline as a nested list, the podcast as a dialogue, answers on demand, prose.
    open_artifact(page, "outline")
    expect(page.locator("ol.outline > li ul > li").first).to_be_visible()
    states.check("outline")
    open_artifact(page, "podcast script")
    assert page.locator(".dialogue > li").count() >= 6
    states.check("podcast")
    open_artifact(page, "reading questions")
    show = page.locator(".reading-questions > li").first.locator("button[aria-controls^=answer]")
    expect(show).to_have_text("Show answer")
    show.click()
    expect(show).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".answer").first).to_be_visible()
    states.check("reading-questions")
    for name in ("study guide", "one-pager", "detailed reading"):
        open_artifact(page, name)
        expect(page.locator("#study-body h3").first).to_be_visible()
        states.check(name.replace(" ", "-"))

    # A download is the artifact's JSON, made in the browser.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download flashcards as JSON").first.click()
    assert download.value.suggested_filename == "photosynthesis-flashcards.json"
    saved = json.loads(Path(download.value.path()).read_text())
    assert saved == artifact(server, job_id, "flashcards")
    expect(page.locator("#recent-list .recent-title")).to_have_text(["Photosynthesis"])


def test_an_uploaded_markdown_file_is_a_source_and_reopens_from_recent_jobs(states: PageStates, server: Server) -> None:
    page = states.page
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(server.url)
    use_key(page)
    page.get_by_label("Upload a document").check()
    expect(page.get_by_label("Text", exact=True)).to_be_hidden()
    page.get_by_label("Document", exact=True).set_input_files(LECTURE)
    for name in ("Podcast script", "Study guide", "One-pager", "Detailed reading", "Reading questions", "Quiz"):
        page.get_by_role("checkbox", name=name).uncheck()
    expect(page.get_by_label("Number of multiple-choice questions.")).to_be_hidden()
    states.check("file-chosen")
    # Every status the form shows, kept as it changes: "Uploaded …" lasts only until the job starts.
    page.evaluate(
        """() => {
          const status = document.getElementById("submit-status");
          window.__statuses = [];
          new MutationObserver(() => window.__statuses.push(status.textContent))
            .observe(status, {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#job-status")).to_have_text("Finished: all 3 materials are ready.")
    statuses: list[str] = page.evaluate("window.__statuses")
    assert any(s.startswith("Uploaded “") for s in statuses), statuses
    states.check("progress")
    job = httpx.get(f"{server.url}/v1/jobs/{newest_job(server)}", headers={"X-API-Key": KEY}).json()
    assert len(job["request"]["source_ids"]) == 1 and job["request"]["artifacts"] == ["outline", "faq", "flashcards"]

    open_artifact(page, "flashcards")
    page.locator(".deck-evidence .evidence-toggle").click()
    passage = page.locator(".deck-evidence .passage").first
    expect(passage.locator("figcaption")).to_contain_text("with its context")  # fetched from the source's text
    expect(passage.locator("mark")).to_be_visible()
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the page scrolls sideways on a phone"
    states.check("flashcards-phone")

    page.reload()  # the key is kept for the tab, and the job is in the list
    expect(page.locator("#key-status")).to_have_text("The key works and is kept for this tab.")
    page.locator("#recent-list .recent-job").first.click()
    expect(page.locator("#job-status")).to_have_text("Finished: all 3 materials are ready.")
    expect(page.get_by_role("button", name="Open flashcards", exact=True)).to_be_visible()
    states.check("reopened")


def test_a_wrong_key_shows_the_servers_message(states: PageStates, server: Server) -> None:
    page = states.page
    page.goto(server.url)
    page.get_by_label("Text", exact=True).fill(PHOTOSYNTHESIS.read_text())
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#alert")).to_contain_text("An API key is needed")
    states.check("no-key")
    use_key(page, "cf_not_a_key_of_this_server_0123456789abcdefghijkl")
    alert = page.locator("#alert")
    expect(alert.locator(".alert-title")).to_have_text("The API key was refused")
    expect(alert.locator(".alert-message")).to_have_text("The API key is not valid.")  # the envelope's message
    expect(page.get_by_label("API key", exact=True)).to_be_focused()
    expect(page.locator("#key-status")).to_have_text("No key: the last one was refused.")
    assert page.evaluate("sessionStorage.length") == 0
    states.check("wrong-key")
    page.emulate_media(color_scheme="dark")  # the dark scheme's colours pass the contrast rules too
    states.check("wrong-key-dark")


def test_a_podcast_read_aloud_is_a_step_the_page_follows(states: PageStates, server: Server) -> None:
    page = states.page
    page.goto(server.url)
    use_key(page)
    expect(page.get_by_role("checkbox", name="Flashcards")).to_be_checked()  # the catalogue has arrived
    others = page.locator('input[name="artifacts"]:not([disabled]):not([value="podcast_script"])')
    for index in range(others.count()):
        others.nth(index).uncheck()
    aloud = page.get_by_role("checkbox", name="Also read the script aloud as MP3")
    expect(aloud).not_to_be_checked()  # off unless asked: the catalogue's default
    aloud.check()
    page.get_by_label("Text", exact=True).fill(PHOTOSYNTHESIS.read_text())
    page.get_by_role("button", name="Generate").click()
    row = page.locator('.artifact-row[data-type="podcast_script.audio"]')
    expect(row).to_contain_text("Podcast read aloud")
    expect(page.locator("#job-status")).to_have_text("Finished: all 3 materials are ready.", timeout=60_000)
    expect(row.locator(".artifact-state")).to_have_text("ready: the podcast's mp3 export")
    states.check("audio")
    job = httpx.get(f"{server.url}/v1/jobs/{newest_job(server)}", headers={"X-API-Key": KEY}, timeout=10).json()
    assert job["request"]["options"]["podcast_script"]["audio"] is True
    assert job["artifacts"]["podcast_script"]["audio"]["status"] == "succeeded"


def test_a_text_the_engine_refuses_shows_why(states: PageStates, server: Server) -> None:
    page = states.page
    page.goto(server.url)
    use_key(page)
    paste_and_generate(page, "Plants make sugar from light.")
    alert = page.locator("#alert")
    expect(alert.locator(".alert-title")).to_have_text("The request was refused")
    expect(alert.locator(".alert-message")).to_contain_text("The source text cannot fill the requested artifacts.")
    expect(alert.locator(".alert-details li").first).to_contain_text("source_text: The source text is too short.")
    expect(alert).to_be_focused()
    expect(page.locator("#job")).to_be_hidden()
    states.check("refused")


def test_a_rate_limited_request_says_when_to_try_again(states: PageStates, limited_server: Server) -> None:
    page = states.page
    page.goto(limited_server.url)
    use_key(page)
    paste_and_generate(page, PHOTOSYNTHESIS.read_text())
    expect(page.locator("#job-status")).to_have_text(ALL_READY)
    page.get_by_role("button", name="Generate").click()  # the second in a minute
    alert = page.locator("#alert")
    expect(alert.locator(".alert-title")).to_have_text("Too many requests")
    expect(alert.locator(".alert-advice")).to_have_text(re.compile(r"^Try again in \d+ seconds?\.$"))
    states.check("rate-limited")


def test_progress_falls_back_to_polling_when_the_stream_fails(states: PageStates, server: Server) -> None:
    page = states.page

    def cut(route: Route) -> None:
        route.abort()

    page.route(re.compile(r"/v1/jobs/[^/]+/events$"), cut)
    page.goto(server.url)
    use_key(page)
    paste_and_generate(page, PHOTOSYNTHESIS.read_text())
    expect(page.locator("#job-channel")).to_have_text(
        "Live updates are unavailable here, so the page checks the job every second."
    )
    expect(page.locator("#job-status")).to_have_text(ALL_READY)
    expect(page.get_by_role("button", name="Open flashcards", exact=True)).to_be_visible()
    states.check("polled")


def test_the_main_flow_works_with_the_keyboard_alone(states: PageStates, server: Server) -> None:
    page = states.page
    page.goto(server.url)
    page.keyboard.press("Tab")
    assert focused(page).startswith("a.skip-link"), focused(page)
    assert focus_ring(page) == "solid 3px"
    tab_until(page, "#api-key")
    page.keyboard.type(KEY)
    page.keyboard.press("Enter")
    expect(page.locator("#key-status")).to_have_text("The key works and is kept for this tab.")
    tab_until(page, "#mode-text")
    assert focus_ring(page) == "solid 3px"
    tab_until(page, "#source-text")
    page.keyboard.insert_text(PHOTOSYNTHESIS.read_text())
    tab_until(page, "#generate")
    assert focus_ring(page) == "solid 3px"
    page.keyboard.press("Enter")
    expect(page.locator("#job-title")).to_be_focused()
    expect(page.locator("#job-status")).to_have_text(ALL_READY)
    states.check("keyboard-progress")

    tab_until(page, "button.open:Open flashcards")
    assert focus_ring(page) == "solid 3px"
    page.keyboard.press("Enter")
    expect(page.locator("#study-title")).to_be_focused()
    tab_until(page, "button.card")
    assert focus_ring(page) == "solid 3px"
    page.keyboard.press("Space")
    expect(page.locator(".deck-position")).to_contain_text("answer side")
    page.keyboard.press("ArrowRight")
    expect(page.locator(".deck-position")).to_contain_text("Card 2 of")
    tab_until(page, "button.evidence-toggle")
    page.keyboard.press("Enter")
    expect(page.locator(".deck-evidence .passage").first).to_be_visible()
    tab_until(page, "button.back", backwards=True)
    page.keyboard.press("Enter")
    assert focused(page) == "button.open:Open flashcards"
    states.check("keyboard-study")
