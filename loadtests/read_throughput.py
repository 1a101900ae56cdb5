"""Throughput of ``GET /v1/jobs/{id}`` beside a bare FastAPI route, both served by one uvicorn worker on
127.0.0.1 and loaded by ``wrk`` for a bounded time: plain polls (200 and the body) and conditional polls that send
the job's ETag in ``If-None-Match`` (304, no body), as a client that polls well does. Prints the median requests
per second of each, and the median of the rounds' ratios to the bare route."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from e2e.server import Server

KEY = "cf_bench_key_abcdefghijklmnopqrstuvwxyz0123456789ABCD"
ARTICLE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "texts"


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str]) -> float:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not match or re.search(r"Non-2xx or 3xx responses", output):
        raise RuntimeError(f"wrk run was not clean:\n{output}")
    return float(match.group(1))


def run(seconds: int = 5, rounds: int = 3, connections: int = 16) -> dict[str, float]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "CF_SQLITE_PATH": f"{tmp}/bench.db",
            "CF_BOOTSTRAP_ADMIN_KEY": KEY,
            "CF_ENVIRONMENT": "test",
            "CF_RATE_LIMIT_READS": "1000000/second",  # the limiter runs on every read, but never refuses one
        }
        service = Server(env, Path(tmp) / "service.log")
        hello = Server({}, Path(tmp) / "hello.log", factory="loadtests.hello_app:create_hello_app", ready_path="/hello")
        try:
            service.start()
            hello.start()
            text = sorted(ARTICLE.glob("*.txt"))[0].read_text()
            headers = {"X-API-Key": KEY}
            job = httpx.post(f"{service.url}/v1/jobs", json={"source_text": text}, headers=headers, timeout=30).json()
            for _ in range(600):
                status = httpx.get(f"{service.url}/v1/jobs/{job['id']}", headers=headers, timeout=10).json()["status"]
                if status == "succeeded":
                    break
                time.sleep(0.1)
            url = f"{service.url}/v1/jobs/{job['id']}"
            etag = httpx.get(url, headers=headers, timeout=10).headers["etag"]
            conditional = {**headers, "If-None-Match": etag}
            job_rps, conditional_rps, hello_rps = [], [], []
            for _ in range(rounds):  # interleaved, so drift on the machine hits all three alike
                job_rps.append(wrk(url, seconds, connections, headers))
                conditional_rps.append(wrk(url, seconds, connections, conditional))
                hello_rps.append(wrk(f"{hello.url}/hello", seconds, connections, {}))
        finally:
            service.stop()
            hello.stop()
    # The ratio of each round's pair, run back to back, then their median: drift on the machine between rounds
    # moves both figures of a pair alike and so cancels out of it.
    ratio = statistics.median(job / hello for job, hello in zip(job_rps, hello_rps, strict=True))
    conditional_ratio = statistics.median(c / h for c, h in zip(conditional_rps, hello_rps, strict=True))
    return {
        "job_read_rps": statistics.median(job_rps),
        "conditional_rps": statistics.median(conditional_rps),
        "hello_rps": statistics.median(hello_rps),
        "ratio": ratio,
        "conditional_ratio": conditional_ratio,
    }


if __name__ == "__main__":
    result = run()
    print(f"GET /v1/jobs/{{id}}  {result['job_read_rps']:10.0f} req/s")
    print(f"  with If-None-Match {result['conditional_rps']:10.0f} req/s (304)")
    print(f"GET /hello (bare)   {result['hello_rps']:10.0f} req/s")
    print(f"ratio               {result['ratio']:10.2f}  (target >= 0.50)")
    print(f"ratio, conditional  {result['conditional_ratio']:10.2f}")
