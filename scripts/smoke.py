"""Smoke test of a running deployment: liveness, readiness, and one small job followed to its end.

    python3 scripts/smoke.py https://c-abc1234---content-factory-xyz-ew.a.run.app

The API key comes from ``--api-key`` or ``SMOKE_API_KEY``; for a private Cloud Run service, an identity token for
the invoker from ``--identity-token`` or ``SMOKE_IDENTITY_TOKEN``, sent as ``X-Serverless-Authorization`` so that
Cloud Run checks it and the app still sees only the API key (Cloud Run checks that header instead of
``Authorization`` when both could carry a token). Only the standard library, so it runs in any image with Python 3.

The job uses whatever engine the deployment is configured with (``CF_LLM_PROVIDER``; the API has no per-job
choice): on the offline engine it costs nothing, on a model provider one outline's worth of tokens. Exit 0 when
every check passed; 1 with a line naming the failed check otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from typing import Any

FINISHED = frozenset({"succeeded", "partial", "failed", "cancelled"})
# Enough text for the offline engine to build an outline from; a model provider takes it as well.
SOURCE_TEXT = """\
Photosynthesis is the process by which green plants, algae and some bacteria turn light into chemical energy.
It takes place mainly in the leaves, inside chloroplasts, which hold the green pigment chlorophyll.

The light-dependent reactions happen in the thylakoid membranes. Chlorophyll absorbs light, water molecules are
split, oxygen is released as a by-product, and the energy is stored in ATP and NADPH.

The Calvin cycle happens in the stroma. The enzyme RuBisCO fixes carbon dioxide from the air, and the ATP and
NADPH from the light-dependent reactions turn it into sugars such as glucose, which the plant uses to grow.

The rate of photosynthesis depends on light intensity, carbon dioxide concentration and temperature. When one of
these is scarce it limits the whole process, which is why greenhouses often add carbon dioxide and light.

Photosynthesis matters beyond plants: it produces the oxygen most living things breathe, it is the base of almost
every food chain, and over millions of years it made the fossil fuels that people burn today.
"""


class SmokeFailure(Exception):
    """A check that did not pass; its message names the check and what was seen."""


class Client:
    """Requests to one deployment with its credentials; every answer read as JSON."""

    def __init__(self, base_url: str, api_key: str | None, identity_token: str | None, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.headers = {"Accept": "application/json", "User-Agent": "content-factory-smoke"}
        if api_key:
            self.headers["X-API-Key"] = api_key
        if identity_token:
            self.headers["X-Serverless-Authorization"] = f"Bearer {identity_token}"

    def request(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        all_headers = {**self.headers, **(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base_url + path, data=data, headers=all_headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as answer:  # a 4xx or 5xx: still an answer, judged by the caller
            status, raw = answer.code, answer.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmokeFailure(f"{method} {path}: no answer from {self.base_url} ({exc})") from exc
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")[:300]


def expect(status: int, wanted: int, what: str, body: Any) -> None:
    if status != wanted:
        raise SmokeFailure(f"{what}: expected HTTP {wanted}, got {status}: {json.dumps(body)[:500]}")


def check_health(client: Client) -> None:
    status, body = client.request("GET", "/healthz")
    expect(status, 200, "GET /healthz", body)
    print("ok  GET /healthz")
    status, body = client.request("GET", "/readyz")
    expect(status, 200, "GET /readyz (readiness of the store and cache)", body)
    print(f"ok  GET /readyz {json.dumps(body.get('checks') if isinstance(body, dict) else body)}")


def run_job(client: Client, deadline_seconds: float, poll_seconds: float) -> str:
    """Create the smallest job (the outline of SOURCE_TEXT) and follow it until it ends; its id."""
    job = {"source_text": SOURCE_TEXT, "artifacts": ["outline"], "language": "en"}
    status, body = client.request("POST", "/v1/jobs", job, {"Idempotency-Key": f"smoke-{uuid.uuid4().hex}"})
    expect(status, 202, "POST /v1/jobs", body)
    job_id = body["id"]
    print(f"ok  POST /v1/jobs -> {job_id}")
    ends = time.monotonic() + deadline_seconds
    while True:
        status, body = client.request("GET", f"/v1/jobs/{job_id}")
        expect(status, 200, f"GET /v1/jobs/{job_id}", body)
        if body["status"] in FINISHED:
            break
        if time.monotonic() >= ends:
            raise SmokeFailure(
                f"job {job_id}: still {body['status']} after {deadline_seconds:g} s (progress {body.get('progress')})"
            )
        time.sleep(poll_seconds)
    if body["status"] != "succeeded":
        raise SmokeFailure(f"job {job_id}: ended {body['status']}: {json.dumps(body.get('error'))[:500]}")
    print(f"ok  job {job_id} succeeded")
    status, body = client.request("GET", f"/v1/jobs/{job_id}/artifacts/outline")
    expect(status, 200, f"GET /v1/jobs/{job_id}/artifacts/outline", body)
    if not body.get("content"):
        raise SmokeFailure(f"job {job_id}: the outline has no content")
    print(f"ok  GET /v1/jobs/{job_id}/artifacts/outline")
    return str(job_id)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="the deployment's URL, e.g. a revision tag's URL")
    parser.add_argument("--api-key", default=os.environ.get("SMOKE_API_KEY"), help="default: $SMOKE_API_KEY")
    parser.add_argument(
        "--identity-token",
        default=os.environ.get("SMOKE_IDENTITY_TOKEN"),
        help="an ID token for a private Cloud Run service (default: $SMOKE_IDENTITY_TOKEN)",
    )
    parser.add_argument("--job-timeout", type=float, default=180.0, help="seconds the job may take (default 180)")
    parser.add_argument("--request-timeout", type=float, default=30.0, help="seconds per request (default 30)")
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between polls of the job (default 1)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not args.api_key:
        print("smoke test FAILED: no API key (--api-key or SMOKE_API_KEY)", file=sys.stderr)
        return 1
    client = Client(args.base_url, args.api_key, args.identity_token, args.request_timeout)
    try:
        check_health(client)
        run_job(client, args.job_timeout, args.poll)
    except SmokeFailure as failure:
        print(f"smoke test FAILED against {client.base_url}: {failure}", file=sys.stderr)
        return 1
    print(f"smoke test passed against {client.base_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
