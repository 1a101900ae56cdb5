"""The command line's progress: plain lines off a terminal, a progress bar on one."""

from __future__ import annotations

import io

from content_factory_client import JobChange
from content_factory_client._display import ProgressDisplay
from rich.console import Console


def a_change(version: int, status: str, artifacts: dict[str, str]) -> JobChange:
    done = sum(s in ("succeeded", "failed", "cancelled") for s in artifacts.values())
    progress = {"done": done, "total": len(artifacts), "percent": 100 * done // len(artifacts)}
    return JobChange.model_validate(
        {"version": version, "status": status, "artifacts": artifacts, "progress": progress}
    )


def test_off_a_terminal_each_change_is_one_line() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=200)

    with ProgressDisplay(console) as display:
        display(a_change(1, "queued", {"outline": "queued", "faq": "pending"}))
        display(a_change(2, "running", {"outline": "running", "faq": "pending"}))
        display(a_change(3, "running", {"outline": "succeeded", "faq": "queued"}))
        display(a_change(4, "partial", {"outline": "succeeded", "faq": "failed"}))

    assert out.getvalue().splitlines() == [
        "job queued (0/2)",
        "outline running (0/2)",
        "job running (0/2)",
        "outline succeeded (1/2)",
        "faq queued (1/2)",
        "faq failed (2/2)",
        "job partial (2/2)",
    ]


def test_on_a_terminal_a_bar_counts_the_artifacts_done() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)

    with ProgressDisplay(console) as display:
        display(a_change(1, "running", {"outline": "succeeded", "faq": "running", "quiz": "queued"}))

    assert "1/3" in out.getvalue()
    assert "running: faq" in out.getvalue()
