"""A client nobody on this project wrote: ``openapi-python-client`` generates one from the live document, and it
runs a job against a real uvicorn process with its defaults (the key as a bearer token, its own models)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from e2e.conftest import KEY
from e2e.server import Server
from tests.fixtures.app import text

pytestmark = pytest.mark.e2e

RUN_A_JOB = textwrap.dedent(
    """
    import sys, time
    from generated import AuthenticatedClient
    from generated.api.jobs import create_job, get_artifact, get_job
    from generated.models import ArtifactType, FlashcardsArtifact, JobCreate, JobPublic, JobStatus

    url, key, source = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
    client = AuthenticatedClient(base_url=url, token=key)  # as generated: Authorization: Bearer <key>
    body = JobCreate.from_dict({"source_text": source, "artifacts": ["outline", "flashcards"]})
    job = create_job.sync(client=client, body=body)
    assert isinstance(job, JobPublic), job
    for _ in range(300):
        job = get_job.sync(job.id, client=client)
        if job.status in (JobStatus.SUCCEEDED, JobStatus.PARTIAL, JobStatus.FAILED, JobStatus.CANCELLED):
            break
        time.sleep(0.1)
    assert job.status == JobStatus.SUCCEEDED, job.status
    artifact = get_artifact.sync(job.id, ArtifactType.FLASHCARDS, client=client)
    assert isinstance(artifact, FlashcardsArtifact), type(artifact)
    cards = artifact.content.cards
    assert len(cards) >= 5 and all(card.front and card.back for card in cards)
    print(job.id, len(cards), type(cards[0]).__name__)
    """
)


def test_a_generated_third_party_client_completes_a_job(server: Server, tmp_path: Path) -> None:
    document = httpx.get(f"{server.url}/openapi.json", timeout=10)
    assert document.status_code == 200
    (tmp_path / "openapi.json").write_bytes(document.content)
    generator = Path(sys.executable).with_name("openapi-python-client")
    generated = subprocess.run(
        [generator, "generate", "--path", "openapi.json", "--output-path", "generated", "--meta", "none"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},  # its formatter, ruff, from this venv
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout, generated.stdout  # every schema understood
    for operation in ("create_job", "get_job", "list_jobs", "get_artifact", "create_source", "get_job_events"):
        assert any((tmp_path / "generated" / "api").glob(f"*/{operation}.py")), operation
    assert (tmp_path / "generated" / "models" / "flashcards_artifact.py").exists()
    source = tmp_path / "source.txt"
    source.write_text(text("photosynthesis.txt"))
    (tmp_path / "run.py").write_text(RUN_A_JOB)
    ran = subprocess.run(
        [sys.executable, "run.py", server.url, KEY, str(source)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    job_id, cards, card_type = ran.stdout.split()
    assert int(cards) >= 5 and card_type == "Flashcard"
    assert httpx.get(f"{server.url}/v1/jobs", headers={"X-API-Key": KEY}).json()["items"][0]["id"] == job_id
