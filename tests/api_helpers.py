"""Helpers for API tests: waiting for a job to finish."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

FINISHED = {"succeeded", "partial", "failed", "cancelled"}


async def wait_for_job(client: httpx.AsyncClient, job_id: str, *, polls: int = 2000) -> dict[str, Any]:
    """Poll until the job finishes (bounded in count, not in time)."""
    for _ in range(polls):
        response = await client.get(f"/v1/jobs/{job_id}")
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        if job["status"] in FINISHED:
            return job
        await asyncio.sleep(0.005)
    raise AssertionError(f"job {job_id} did not finish: {job['status']}")
