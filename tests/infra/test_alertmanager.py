"""The alert routing (infra/prometheus/alertmanager.yml): rendered from its variables as the deploy renders it,
valid for amtool, every alert of alerts.yml routed by its severity, and inhibitions that name real alerts."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]

from tests.infra.tools import ROOT, run

TEMPLATE = ROOT / "infra" / "prometheus" / "alertmanager.yml"
ALERTS = ROOT / "infra" / "prometheus" / "alerts.yml"
EXAMPLE = {
    "CF_ALERT_PAGING_WEBHOOK_URL": "https://pager.example.com/hook/abc",
    "CF_ALERT_EMAIL_TO": "oncall@example.com",
    "CF_ALERT_EMAIL_FROM": "alerts@example.com",
    "CF_ALERT_SMTP_SMARTHOST": "smtp.example.com:587",
    "CF_ALERT_SMTP_USERNAME": "alerts",
}
RECEIVERS = {"page": "paging,email", "ticket": "email"}  # severity -> the receivers amtool must name, in order


def body() -> str:
    """The configuration without its comments (whose examples mention variables too)."""
    return re.sub(r"(?m)^\s*#.*\n", "", TEMPLATE.read_text())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("alertmanager") / "alertmanager.yml"
    path.write_text(string.Template(body()).substitute(EXAMPLE))  # KeyError on a variable the test does not know
    return path


def alerts() -> list[dict[str, object]]:
    return [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]


def route(config: Path, *labels: str) -> str:
    done = run("amtool", "config", "routes", "test", f"--config.file={config}", *labels)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def test_the_variables_it_uses_are_the_ones_its_header_documents() -> None:
    documented = set(re.findall(r"(?m)^#\s+(CF_ALERT_\w+)\s", TEMPLATE.read_text()))
    assert set(string.Template(body()).get_identifiers()) == documented == set(EXAMPLE)


def test_amtool_accepts_the_rendered_configuration(rendered: Path) -> None:
    done = run("amtool", "check-config", str(rendered))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout and "2 receivers" in done.stdout


@pytest.mark.parametrize("alert", alerts(), ids=lambda rule: str(rule["alert"]))
def test_every_alert_reaches_the_receivers_of_its_severity(rendered: Path, alert: dict[str, object]) -> None:
    labels = alert["labels"]
    assert isinstance(labels, dict)
    severity = labels["severity"]
    assert severity in RECEIVERS, f"{alert['alert']}: severity {severity!r} has no route; add one"
    expected = RECEIVERS[severity]
    assert route(rendered, f"alertname={alert['alert']}", f"severity={severity}", f"--verify.receivers={expected}")


def test_an_alert_with_no_known_severity_still_reaches_the_email_list(rendered: Path) -> None:
    assert route(rendered, "alertname=Unlabelled") == "email"
    assert route(rendered, "alertname=Odd", "severity=info") == "email"


def test_inhibitions_name_alerts_and_severities_that_exist() -> None:
    config = yaml.safe_load(body().replace("${", "").replace("}", ""))
    names = {str(rule["alert"]) for rule in alerts()}
    severities = set(RECEIVERS)
    for rule in config["inhibit_rules"]:
        for matcher in [*rule["source_matchers"], *rule["target_matchers"]]:
            label, _, pattern = re.match(r'(\w+)(=~|=)"(.*)"', matcher).groups()  # type: ignore[union-attr]
            known = names if label == "alertname" else severities
            assert label in ("alertname", "severity"), matcher
            assert set(pattern.split("|")) <= known, f"{matcher}: names no alert or severity of alerts.yml"
