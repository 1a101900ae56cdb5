"""Debian's Chromium, driven by Playwright, for the study page's tests: the launch, and the checks of a page state.

Playwright only drives ``/usr/bin/chromium`` (``executable_path``); it never downloads a browser. Each page state a
test reaches is checked by ``PageStates.check``: a screenshot in the test's folder, no Content-Security-Policy
violation (``securitypolicyviolation`` events and Chromium's console reports) and no uncaught script error, and no
serious or critical axe-core finding.

axe goes into the page through ``page.evaluate`` of its source, which runs over the DevTools protocol and is not
subject to the page's CSP, so the page keeps its real policy for the whole test. ``add_script_tag`` would add an
inline ``<script>`` that the policy blocks (and report a violation of our own making); ``bypass_csp=True`` would
lift the policy under test for the whole context.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright

from e2e.server import ROOT

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".services" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"
# What a probe of this machine needed: no sandbox as root, and no background traffic to Google's hosts, which the
# closed network refuses (many connections at a time otherwise).
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = ("serious", "critical")
# Recorded in the page before any of its scripts runs (an init script, which the CSP does not govern either).
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber}`);
});
"""


def require_chromium() -> None:
    """Skip where Debian's Chromium is missing, except in CI (``CI=true``), where a missing browser fails the run."""
    if CHROMIUM.exists():
        return
    message = f"Debian chromium is not installed at {CHROMIUM}: run `bash scripts/services/install.sh`"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def launch(playwright: Playwright) -> Browser:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `bash scripts/services/install.sh`")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)


@dataclass
class PageStates:
    """Watches one page, and checks each state a test reaches (see the module docstring)."""

    page: Page
    folder: Path
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    shots: int = 0

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.page.add_init_script(_RECORD_VIOLATIONS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def check(self, name: str, *, audit: bool = True) -> Path:
        """Screenshot the state as ``NN-name.png`` and assert it broke no CSP rule, threw nothing and passes axe."""
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{name}.png"
        self.page.screenshot(path=path, full_page=True, animations="disabled")
        self.assert_clean(name)
        if audit:
            findings = self.axe()
            assert findings == [], f"{name}: axe found\n" + "\n".join(findings)
        return path

    def assert_clean(self, name: str) -> None:
        """No CSP violation and no uncaught script error so far."""
        violations = self.page.evaluate("window.__cspViolations")
        assert violations == [] and self.console == [], f"{name}: CSP violations {violations} {self.console}"
        assert self.errors == [], f"{name}: uncaught script errors {self.errors}"

    def axe(self) -> list[str]:
        """The serious and critical axe-core findings on the page as it is, one line each."""
        if not self.page.evaluate("typeof window.axe === 'object'"):
            self.page.evaluate(AXE.read_text())
        result: dict[str, Any] = self.page.evaluate(
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})))"
            ".then(violations => ({violations}))"
        )
        return [
            f"{v['impact']} {v['id']}: {v['help']} at {', '.join(v['nodes'])}"
            for v in result["violations"]
            if v["impact"] in BLOCKING_IMPACTS
        ]


def focused(page: Page) -> str:
    """The focused element, in short: ``#id``, else ``tag.class:text`` (its first class, its first 60 characters)."""
    description: str = page.evaluate(
        "(() => { const e = document.activeElement; if (!e) return ''; if (e.id) return '#' + e.id; "
        "const kind = e.classList.length ? e.tagName.toLowerCase() + '.' + e.classList[0] : e.tagName.toLowerCase(); "
        "return kind + ':' + (e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60); })()"
    )
    return description


def tab_until(page: Page, wanted: str, *, limit: int = 60, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until the focused element is ``wanted`` (as ``focused`` describes it), or fail."""
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if now == wanted or now.startswith(wanted):
            return
        seen.append(now)
    raise AssertionError(f"Tab never reached {wanted!r}; it went through {seen}")


def focus_ring(page: Page) -> str:
    """The focused element's outline, as computed: a visible focus has a style and a width."""
    ring: str = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); "
        "return `${s.outlineStyle} ${s.outlineWidth}`; })()"
    )
    return ring
