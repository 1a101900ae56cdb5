"""Observability against real processes: Debian's prometheus scraping a two-worker uvicorn, the dashboard's
every query evaluated through Prometheus' HTTP API, the alert rules loaded, and the server's log lines."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from e2e.conftest import KEY
from e2e.server import ROOT, Server, free_port, stop_process, wait_until_ready

TOKEN = "e2e-metrics-token-0123456789abcdef"
DASHBOARD = ROOT / "infra" / "grafana" / "content-factory.json"
ALERTS = ROOT / "infra" / "prometheus" / "alerts.yml"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
RATE_WINDOW = "30s"  # stands in for Grafana's $__rate_interval at a 1 s scrape interval


class Prometheus:
    """``prometheus`` on 127.0.0.1, scraping one target every second with a bearer token."""

    def __init__(self, workdir: Path, target: str) -> None:
        binary = shutil.which("prometheus")
        assert binary, "prometheus is missing: run `bash scripts/services/install.sh`"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = workdir / "prometheus.yml"
        config.write_text(
            json.dumps(  # JSON is YAML
                {
                    "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
                    "rule_files": [str(ALERTS)],
                    "scrape_configs": [
                        {
                            "job_name": "content-factory",
                            "authorization": {"type": "Bearer", "credentials": TOKEN},
                            "static_configs": [{"targets": [target]}],
                        }
                    ],
                }
            )
        )
        self.log_path = workdir / "prometheus.log"
        command = [
            binary, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        wait_until_ready(self.process, f"{self.url}/-/ready", self.log_path)

    def query(self, expr: str) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10)
        body: dict[str, Any] = response.json()
        assert response.status_code == 200 and body["status"] == "success", (expr, body)
        return body["data"]  # type: ignore[no-any-return]

    def stop(self) -> None:
        stop_process(self.process)


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[Server]:
    multiproc = tmp_path / "prometheus-multiproc"
    multiproc.mkdir()
    server = Server(
        {
            "CF_SQLITE_PATH": str(tmp_path / "e2e.db"),
            "CF_BOOTSTRAP_ADMIN_KEY": KEY,
            "CF_ENVIRONMENT": "test",
            "CF_METRICS_TOKEN": TOKEN,
            "GOOGLE_CLOUD_PROJECT": "demo-project",
            "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
            "UVICORN_WORKERS": "2",  # uvicorn reads its options from UVICORN_* variables
        },
        tmp_path / "server.log",
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def prometheus(tmp_path: Path, two_workers: Server) -> Iterator[Prometheus]:
    running = Prometheus(tmp_path, f"127.0.0.1:{two_workers.port}")
    running.wait_ready()
    yield running
    running.stop()


def dashboard_queries() -> list[tuple[str, str]]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    queries = [(p["title"], t["expr"]) for p in panels if p["type"] != "row" for t in p["targets"]]
    assert len(queries) >= 20
    return queries


def run_job(client: httpx.Client, source: str) -> str:
    created = client.post("/v1/jobs", json={"source_text": source})
    assert created.status_code == 202, created.text
    for _ in range(600):
        job = client.get(f"/v1/jobs/{created.json()['id']}").json()
        if job["status"] in {"succeeded", "partial", "failed", "cancelled"}:
            assert job["status"] == "succeeded", job
            return str(job["id"])
        time.sleep(0.05)
    raise AssertionError("job did not finish")


def counter(exposition: str, name: str, labels: str) -> float:
    selector = re.escape(name) + (rf"\{{{re.escape(labels)}\}}" if labels else "")
    match = re.search(rf"^{selector} (\S+)$", exposition, re.MULTILINE)
    assert match, f"{name}{{{labels}}} missing"
    return float(match[1])


@pytest.mark.e2e
def test_prometheus_scrapes_two_workers_and_every_dashboard_query_returns_data(
    two_workers: Server, prometheus: Prometheus, tmp_path: Path
) -> None:
    source = (ROOT / "tests" / "fixtures" / "texts" / "plate_tectonics.txt").read_text()
    headers = {"X-API-Key": KEY, "traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01"}
    with httpx.Client(base_url=two_workers.url, headers=headers, timeout=30) as client:
        first = run_job(client, source)
        run_job(client, source)  # the repeat: every artifact from the cache
        assert client.get("/v1/jobs/job_nothere").status_code == 404
        for _ in range(30):
            assert client.get("/v1/content-types").status_code == 200
        assert client.get("/metrics").status_code == 401  # the token is required

        # Every scrape, whichever worker answers it, sums both workers' counts.
        for _ in range(6):
            scraped = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            assert scraped.status_code == 200
            text = scraped.text
            routes = 'method="GET",route="/v1/content-types",status_class="2xx"'
            assert counter(text, "cf_http_requests_total", routes) == 30
            assert counter(text, "cf_jobs_created_total", "") == 2
    pids = {re.sub(r"\D", "", p.name) for p in (tmp_path / "prometheus-multiproc").glob("counter_*.db")}
    assert len(pids) == 2, pids  # both workers served and recorded requests

    # Prometheus has the jobs once a scrape after them has landed (bounded polls).
    for _ in range(200):
        finished = prometheus.query('sum(cf_jobs_finished_total{outcome="succeeded"})')["result"]
        if finished and float(finished[0]["value"][1]) == 2:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("prometheus never saw the two jobs")
    hits = prometheus.query('sum(cf_cache_lookups_total{result="hit"})')["result"]
    assert float(hits[0]["value"][1]) == 9

    empty: list[tuple[str, str]] = []
    for _ in range(100):  # rate() needs two samples in its window: poll until every query has them
        empty = [
            (title, expr)
            for title, expr in dashboard_queries()
            if not prometheus.query(expr.replace("$__rate_interval", RATE_WINDOW))["result"]
        ]
        if not empty:
            break
        time.sleep(0.2)
    assert not empty, empty

    # The alert rules load and evaluate against the real series without errors.
    rules = httpx.get(f"{prometheus.url}/api/v1/rules", timeout=10).json()["data"]["groups"]
    evaluated = [r for g in rules for r in g["rules"]]
    declared = re.findall(r"^\s*- alert: (\w+)$", ALERTS.read_text(), flags=re.MULTILINE)
    assert sorted(r["name"] for r in evaluated) == sorted(declared)  # every rule in the file was loaded
    assert all(r["health"] in {"ok", "unknown"} for r in evaluated), evaluated

    # The server's output: one JSON object per line; a request's lines carry its trace and request id.
    entries = [json.loads(line) for line in two_workers.log_path.read_text().splitlines() if line.strip()]
    access = [
        e for e in entries if e.get("logger") == "app.access" and e["httpRequest"]["requestUrl"].startswith("/v1/")
    ]
    assert access and all(e["logging.googleapis.com/trace"].endswith(TRACE_ID) for e in access)
    assert all(re.fullmatch(r"[0-9a-f]{32}", e["request_id"]) for e in access)
    assert any(e["httpRequest"]["requestUrl"] == f"/v1/jobs/{first}" for e in access)
    assert KEY not in two_workers.log_path.read_text()
