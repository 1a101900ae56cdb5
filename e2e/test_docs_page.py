"""The interactive docs in Debian's Chromium: a key given to "Authorize" is still there after a reload, and the
request example "Try it out" starts from is one the API accepts."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect, sync_playwright

from e2e.browser import launch, require_chromium
from e2e.conftest import KEY
from e2e.server import Server

pytestmark = pytest.mark.e2e


def test_swagger_ui_keeps_the_key_across_reloads_and_its_example_makes_a_job(server: Server) -> None:
    require_chromium()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{server.url}/docs")
            page.get_by_role("button", name="Authorize").first.click()
            dialog = page.locator(".modal-ux")
            dialog.locator("input").first.fill(KEY)  # ApiKey (X-API-Key) is the first scheme
            dialog.locator("button.modal-btn.authorize").first.click()
            dialog.locator("button.btn-done").first.click()

            page.reload()
            expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
            stored = json.loads(page.evaluate("localStorage.getItem('authorized')") or "{}")
            assert stored.get("ApiKey", {}).get("value") == KEY

            create = page.locator("#operations-jobs-createJob")
            create.locator(".opblock-summary").click()
            create.get_by_role("button", name="Try it out").click()
            with page.expect_response(lambda r: r.url.endswith("/v1/jobs") and r.request.method == "POST") as sent:
                create.get_by_role("button", name="Execute").click()
            answer = sent.value
            assert answer.request.headers.get("x-api-key") == KEY  # the key from before the reload
            assert answer.status == 202, answer.text()
        finally:
            browser.close()
