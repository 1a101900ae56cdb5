"""The Dockerfile: hadolint and checkov find nothing, the images are pinned, the final stage runs as a numeric
non-root user with uvicorn exec'd on $PORT, the image holds no development dependency (the build stage's sync is
run here, without Docker, on the files that stage copies), and the build context is only what the image needs."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.infra import tools
from tests.infra.test_cloudbuild import PINNED, ROOT, load, step, text_of

DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    value: str
    line: int


def instructions(text: str) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    found: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if not pending:
            start = number
        pending.append(line[:-1].rstrip() if line.endswith("\\") else line)
        if not line.endswith("\\"):
            keyword, _, value = " ".join(pending).partition(" ")
            found.append(Instruction(keyword.upper(), value.strip(), start))
            pending = []
    return found


def stages(parsed: list[Instruction]) -> list[list[Instruction]]:
    result: list[list[Instruction]] = []
    for instruction in parsed:
        if instruction.keyword == "FROM":
            result.append([])
        result[-1].append(instruction)
    return result


@pytest.fixture(scope="module")
def parsed() -> list[Instruction]:
    return instructions(DOCKERFILE.read_text())


def test_hadolint_finds_nothing_at_warning_or_above() -> None:
    result = tools.run("hadolint", "-f", "json", "--failure-threshold", "warning", str(DOCKERFILE))
    findings = json.loads(result.stdout or "[]")
    serious = [f for f in findings if f["level"] in ("error", "warning")]
    assert not serious, "hadolint:\n" + "\n".join(f"  line {f['line']}: {f['code']} {f['message']}" for f in serious)
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_fails_no_check_and_every_skip_has_a_reason() -> None:
    result = tools.run("checkov", "-f", str(DOCKERFILE), "--framework", "dockerfile", "-o", "json", "--quiet")
    report = json.loads(result.stdout)
    failed = report["results"].get("failed_checks", [])
    assert not failed, "checkov:\n" + "\n".join(f"  {c['check_id']} {c['check_name']}" for c in failed)
    assert report["summary"]["parsing_errors"] == 0, report["summary"]
    assert report["summary"]["passed"] > 0, report["summary"]
    for skip in re.finditer(r"checkov:skip=([A-Z_0-9]+)(.*)", DOCKERFILE.read_text()):
        assert re.match(r":\s*\S", skip.group(2)), f"checkov:skip={skip.group(1)} needs ': <reason>'"


def test_every_base_image_is_pinned_to_an_exact_version(parsed: list[Instruction]) -> None:
    names: set[str] = set()
    for instruction in (i for i in parsed if i.keyword == "FROM"):
        image, *alias = instruction.value.split()
        assert PINNED.match(image) or image in names, f"line {instruction.line}: FROM {image} is not pinned"
        if alias:
            names.add(alias[-1])
    python = [i.value.split()[0] for i in parsed if i.keyword == "FROM" and i.value.startswith("python:")]
    assert python, "no python base image"
    for image in python:
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", image), f"{image}: exact 3.11 patch, -slim-bookworm"
    uv = [i.value.split()[0] for i in parsed if i.keyword == "FROM" and "astral-sh/uv" in i.value]
    assert uv and re.fullmatch(r"ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+", uv[0]), f"uv's image pinned exactly: {uv}"


def test_the_final_stage_runs_uvicorn_as_a_numeric_non_root_user_on_port(parsed: list[Instruction]) -> None:
    final = stages(parsed)[-1]
    users = [i.value for i in final if i.keyword == "USER"]
    assert users, "the final stage sets no USER: it would run as root"
    user, _, group = users[-1].partition(":")
    assert user.isdigit() and int(user) != 0, f"USER {users[-1]}: a numeric uid other than 0"
    assert not group or (group.isdigit() and int(group) != 0), f"USER {users[-1]}: a numeric gid other than 0"
    cmd = [i for i in final if i.keyword == "CMD"]
    assert cmd, "the final stage has no CMD"
    argv = json.loads(cmd[-1].value)  # exec form: no shell wrapped around it by Docker
    assert argv[:2] == ["sh", "-c"] and argv[2].startswith("exec uvicorn "), f"CMD must exec uvicorn: {argv}"
    assert "--factory app.main:create_app" in argv[2], argv
    assert "--port ${PORT:-8080}" in argv[2], "CMD must listen on $PORT (Cloud Run sets it)"


def test_no_development_dependency_and_no_cache_in_the_image(parsed: list[Instruction]) -> None:
    runs = [i for i in parsed if i.keyword == "RUN"]
    syncs = [i for i in runs if "uv sync" in i.value]
    assert syncs, "no uv sync in the Dockerfile"
    for sync in syncs:
        assert "--frozen" in sync.value and "--no-dev" in sync.value, f"line {sync.line}: uv sync --frozen --no-dev"
        for flag in ("--dev", "--all-groups", "--group", "--all-extras"):
            assert flag not in shlex.split(sync.value), f"line {sync.line}: {flag} brings development tools"
    for run in runs:
        if "apt-get install" in run.value:
            assert "--no-install-recommends" in run.value, f"line {run.line}: apt-get install --no-install-recommends"
            assert "rm -rf /var/lib/apt/lists/*" in run.value, f"line {run.line}: remove the apt lists"
        if "pip install" in run.value:
            assert "--no-cache-dir" in run.value, f"line {run.line}: pip install --no-cache-dir"
    env = " ".join(i.value for i in parsed if i.keyword == "ENV")
    assert "UV_NO_CACHE=1" in env, "uv's cache stays out of the layer (UV_NO_CACHE=1)"


def test_the_build_stage_sync_installs_the_runtime_dependencies_only(parsed: list[Instruction], tmp_path: Path) -> None:
    """The build stage's own `uv sync`, on exactly the files it copies (no sdk/, no app/): fastapi and uvicorn in
    the environment, and none of the development group (pytest, ruff, mypy, the client)."""
    uv = shutil.which("uv")
    assert uv, "uv is missing: run `make install`"
    build = next(stage for stage in stages(parsed) if any("uv sync" in i.value for i in stage))
    project = tmp_path / "project"
    project.mkdir()
    for copy in (i for i in build if i.keyword == "COPY" and not i.value.startswith("--from")):
        *sources, _ = copy.value.split()
        for source in sources:
            shutil.copy(ROOT / source, project / source)
    sync = next(i.value for i in build if i.keyword == "RUN" and "uv sync" in i.value)
    venv = tmp_path / "venv"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv), "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(
        ["sh", "-c", sync], cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site = next(venv.glob("lib/python3*/site-packages"))
    installed = {path.name.split("-")[0].lower() for path in site.glob("*.dist-info")}
    assert {"fastapi", "uvicorn", "pydantic", "google_cloud_firestore"} <= installed, sorted(installed)
    development = {"pytest", "ruff", "mypy", "hypothesis", "bandit", "pip_audit", "content_factory_client"}
    assert not development & installed, f"development packages in the image: {sorted(development & installed)}"


def test_the_build_context_is_only_what_the_image_copies(parsed: list[Instruction]) -> None:
    patterns = [
        line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*", ".dockerignore starts with * (an allow-list)"
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    copied: set[str] = set()
    for copy in (i for i in parsed if i.keyword == "COPY" and not i.value.startswith("--from")):
        *sources, _ = copy.value.split()
        copied.update(source.rstrip("/") for source in sources)
    assert copied <= allowed, f".dockerignore leaves out what the Dockerfile copies: {sorted(copied - allowed)}"
    assert allowed <= copied, f".dockerignore lets in what nothing copies: {sorted(allowed - copied)}"
    for kept_out in (".venv", ".services", "tests", "e2e", ".git", "data", "sdk", ".mypy_cache"):
        assert kept_out not in allowed, f"{kept_out} must stay out of the build context"


def test_the_image_and_the_build_use_one_uv(parsed: list[Instruction]) -> None:
    image = next(i.value.split()[0] for i in parsed if i.keyword == "FROM" and "astral-sh/uv" in i.value)
    version = image.rsplit(":", 1)[1]
    assert f"uv=={version}" in text_of(step(load(), "install")), f"cloudbuild.yaml's install step must use uv {version}"
