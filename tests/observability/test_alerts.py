"""The alert rules pass promtool's checks and unit tests; each has a runbook section; the dashboard reads only
families the service exports. (Every dashboard query is evaluated against a real Prometheus in
e2e/test_observability.py.)"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app.observability.metrics import Metrics

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "infra" / "prometheus" / "alerts.yml"
ALERT_TESTS = ROOT / "infra" / "prometheus" / "alerts_test.yml"
DASHBOARD = ROOT / "infra" / "grafana" / "content-factory.json"
RUNBOOK = ROOT / "docs" / "runbook.md"


def promtool(*args: str) -> str:
    binary = shutil.which("promtool")
    assert binary, "promtool is missing: run `bash scripts/services/install.sh` (Debian's prometheus package)"
    done = subprocess.run([binary, *args], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def alert_names() -> list[str]:
    return re.findall(r"^\s+- alert: (\w+)$", ALERTS.read_text(), re.MULTILINE)


def test_promtool_checks_the_rules() -> None:
    out = promtool("check", "rules", str(ALERTS))
    assert f"SUCCESS: {len(alert_names())} rules found" in out


def test_promtool_unit_tests_pass_and_cover_every_alert() -> None:
    assert "SUCCESS" in promtool("test", "rules", str(ALERT_TESTS))
    tested = set(re.findall(r"alertname: (\w+)", ALERT_TESTS.read_text()))
    assert tested == set(alert_names())


@pytest.mark.parametrize("alert", alert_names())
def test_every_alert_has_a_runbook_section(alert: str) -> None:
    assert f'runbook_url: "docs/runbook.md#{alert.lower()}"' in ALERTS.read_text()
    sections = re.split(r"^## ", RUNBOOK.read_text(), flags=re.MULTILINE)
    (section,) = [s for s in sections if s.startswith(f"{alert}\n")]
    for part in ("**What it means.**", "**How to look.**", "**What to do.**"):
        assert part in section, (alert, part)


def exported_families() -> set[str]:
    """Every sample name the service's families can expose."""
    suffixes = {"counter": ["_total"], "gauge": [""], "histogram": ["_bucket", "_count", "_sum"]}
    return {f.name + suffix for f in Metrics().registry.collect() for suffix in suffixes[f.type]}


def test_dashboard_and_alerts_read_only_exported_families() -> None:
    exported = exported_families()
    panels = json.loads(DASHBOARD.read_text())["panels"]
    exprs = [t["expr"] for p in panels if p["type"] != "row" for t in p["targets"]]
    used = set(re.findall(r"\bcf_[a-z_]+", " ".join(exprs) + ALERTS.read_text()))
    assert used and used <= exported, used - exported
    titles = {p["title"] for p in panels if p["type"] == "row"}
    assert titles == {"Traffic", "Jobs", "Steps", "LLM", "Cache and rate limits", "Queue"}
    assert all(p["datasource"]["uid"] == "${datasource}" for p in panels if p["type"] != "row")
