"""cloudbuild.yaml, read as Cloud Build reads it: the gates run before anything is built, the image is pushed
before it is deployed, a new revision gets no traffic until its tag's URL passed the smoke test, every image is
pinned, every substitution is declared, and secrets come only from Secret Manager."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no type information

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "cloudbuild.yaml"

# The order a release must follow; other steps (tool set-up) may sit between them.
ORDER = ["lint", "test", "audit", "bandit", "hadolint", "checkov", "build", "push", "deploy", "smoke", "traffic"]
GATES = ["lint", "test", "audit", "bandit", "hadolint", "checkov"]
IMAGE = "${_REGION}-docker.pkg.dev/$PROJECT_ID/${_REPOSITORY}/${_SERVICE}:$COMMIT_SHA"
# Substitutions Cloud Build provides (https://cloud.google.com/build/docs/configuring-builds/substitute-variable-values).
BUILTINS = {
    "PROJECT_ID": "cf-project",
    "PROJECT_NUMBER": "123456789012",
    "BUILD_ID": "00000000-0000-0000-0000-000000000000",
    "LOCATION": "us-central1",
    "COMMIT_SHA": "abc1234def5678abc1234def5678abc1234def56",
    "SHORT_SHA": "abc1234",
    "REVISION_ID": "abc1234def5678abc1234def5678abc1234def56",
    "BRANCH_NAME": "main",
    "TAG_NAME": "",
    "REPO_NAME": "content-factory",
    "REPO_FULL_NAME": "example/content-factory",
    "TRIGGER_NAME": "content-factory-main",
    "SERVICE_ACCOUNT_EMAIL": "build@cf-project.iam.gserviceaccount.com",
}
# $$ is a literal $ (a shell variable); ${NAME} and $NAME are substitutions.
DOLLAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$")
# An exact release (3.11.14, 573.0.0, v2.12.0, with a suffix such as -slim-bookworm), or a digest.
PINNED = re.compile(
    r"^[^@\s]+:v?\d+\.\d+\.\d+(?:[-.][A-Za-z0-9.-]+)?(?:@sha256:[0-9a-f]{64})?$"  # NAME:1.2.3[-suffix][@digest]
    r"|^[^@\s]+@sha256:[0-9a-f]{64}$"  # NAME@digest
)
SECRETISH = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PEPPER|DSN|CREDENTIAL", re.IGNORECASE)


def load() -> dict[str, Any]:
    build: dict[str, Any] = yaml.safe_load(CONFIG.read_text())
    return build


def step(build: dict[str, Any], step_id: str) -> dict[str, Any]:
    for candidate in build["steps"]:
        if candidate.get("id") == step_id:
            found: dict[str, Any] = candidate
            return found
    raise AssertionError(f"cloudbuild.yaml has no step with id {step_id!r}")


def text_of(entry: dict[str, Any]) -> str:
    """A step's command line: entrypoint and arguments, as one string."""
    return " ".join(str(part) for part in [entry.get("entrypoint", ""), *entry.get("args", [])])


def render(text: str, build: dict[str, Any]) -> str:
    """``text`` as a step sees it: substitutions replaced by their defaults (built-ins by sample values), $$ as $."""
    values = {**BUILTINS, **build.get("substitutions", {})}

    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name is None:
            return "$"
        return str(values[name])

    return DOLLAR.sub(one, text)


def dollars(build: dict[str, Any]) -> list[tuple[str, str]]:
    """Every substitution written in the file (its name, or "$" for a lone dollar), with the step it is in."""
    found = []
    sections = [(entry.get("id", "?"), yaml.safe_dump(entry)) for entry in build["steps"]]
    rest = {key: value for key, value in build.items() if key not in ("steps", "substitutions")}
    sections.append(("(top level)", yaml.safe_dump(rest)))
    for where, text in sections:
        for match in DOLLAR.finditer(text):
            if match.group(0) != "$$":
                found.append((where, match.group(1) or match.group(2) or "$"))
    return found


@pytest.fixture(scope="module")
def build() -> dict[str, Any]:
    return load()


def test_every_step_has_a_unique_id(build: dict[str, Any]) -> None:
    ids = [entry.get("id") for entry in build["steps"]]
    assert all(ids), f"steps without an id: {[text_of(e)[:60] for e in build['steps'] if not e.get('id')]}"
    assert len(ids) == len(set(ids)), f"repeated step ids: {ids}"


def test_the_steps_run_one_after_another_in_release_order(build: dict[str, Any]) -> None:
    ids = [entry["id"] for entry in build["steps"]]
    for required in ORDER:
        assert required in ids, f"cloudbuild.yaml has no {required!r} step (steps: {ids})"
    positions = [ids.index(required) for required in ORDER]
    assert positions == sorted(positions), f"steps out of order: {ids}; a release runs {ORDER}"
    for entry in build["steps"]:
        # waitFor would start a step before the ones above it end: a deploy could race a failing test.
        assert "waitFor" not in entry, f"step {entry['id']!r}: waitFor breaks the one-after-another order"


def test_every_gate_runs_before_the_image_is_built_and_the_audit_before_any_deploy(build: dict[str, Any]) -> None:
    ids = [entry["id"] for entry in build["steps"]]
    for gate in GATES:
        assert ids.index(gate) < ids.index("build"), f"step {gate!r} must run before step 'build'"
    deploys = [entry["id"] for entry in build["steps"] if "gcloud run" in text_of(entry)]
    assert deploys, "no step runs gcloud run"
    for deploy in deploys:
        assert ids.index("audit") < ids.index(deploy), f"step 'audit' must run before step {deploy!r}"


@pytest.mark.parametrize(
    ("step_id", "must_say"),
    [
        ("lint", ["scripts/lint.sh"]),
        ("test", ["make test"]),
        ("audit", ["scripts/audit.sh"]),
        ("bandit", ["bandit", "-r app", "--severity-level medium"]),
        ("hadolint", ["hadolint", "--failure-threshold warning", "Dockerfile"]),
        ("checkov", ["checkov", "-d infra/terraform", "-f Dockerfile"]),
        ("build", ["build", f"--tag={IMAGE}"]),
        ("push", [f'docker push "{IMAGE}"', "RepoDigests"]),
        ("deploy", ["gcloud run deploy", "--no-traffic", '--tag="c-$SHORT_SHA"', "image-digest.txt"]),
        ("smoke", ["scripts/smoke.py", "print-identity-token --audiences=", "c-$SHORT_SHA"]),
        ("traffic", ["gcloud run services update-traffic", '--to-tags="c-$SHORT_SHA=100"']),
    ],
)
def test_each_step_does_its_job(build: dict[str, Any], step_id: str, must_say: list[str]) -> None:
    command = text_of(step(build, step_id))
    for words in must_say:
        assert words in command, f"step {step_id!r} should contain {words!r}; it runs: {command}"


def test_the_audit_is_strict_and_cannot_pass_having_audited_nothing() -> None:
    script = (ROOT / "scripts" / "audit.sh").read_text()
    assert "pip-audit --strict" in script, "step 'audit': scripts/audit.sh must run pip-audit --strict"
    assert "NOTHING WAS AUDITED" in script, "step 'audit': scripts/audit.sh must fail when the service is unreachable"


def test_the_traffic_moves_last_to_the_tag_the_deploy_made(build: dict[str, Any]) -> None:
    assert build["steps"][-1]["id"] == "traffic", "step 'traffic' must be the last step"
    deployed = re.search(r'--tag="([^"]+)"', text_of(step(build, "deploy")))
    moved = re.search(r'--to-tags="([^"=]+)=100"', text_of(step(build, "traffic")))
    assert deployed and moved, "steps 'deploy' and 'traffic' must name the revision tag"
    assert deployed.group(1) == moved.group(1), "step 'traffic' must move traffic to the tag step 'deploy' made"
    assert step(build, "smoke").get("secretEnv"), "step 'smoke' must read the API key from Secret Manager"


def test_the_pushed_image_is_the_built_one_in_artifact_registry(build: dict[str, Any]) -> None:
    assert IMAGE in build.get("images", []), f"images: must list {IMAGE} (recorded with its digest in the build)"
    assert "-docker.pkg.dev/" in render(IMAGE, build), "the image goes to Artifact Registry"


def test_every_image_is_pinned_to_an_exact_version(build: dict[str, Any]) -> None:
    for entry in build["steps"]:
        name = entry["name"]
        assert PINNED.match(name), (
            f"step {entry['id']!r}: image {name!r} is not pinned to an exact version (no latest, no bare or "
            "major-only tag)"
        )


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("python:3.11.14-slim-bookworm", True),
        ("gcr.io/google.com/cloudsdktool/google-cloud-cli:573.0.0", True),
        ("hadolint/hadolint:v2.12.0", True),
        (f"node:22.12.0@sha256:{'a' * 64}", True),
        ("node:latest", False),
        ("node", False),
        ("node:22", False),
        ("python:3.11-slim", False),
        ("gcr.io/cloud-builders/docker", False),
    ],
)
def test_the_pin_rule_tells_exact_versions_from_floating_ones(image: str, pinned: bool) -> None:
    assert bool(PINNED.match(image)) is pinned, image


def test_the_build_runs_as_its_own_account_with_its_own_logs(build: dict[str, Any]) -> None:
    account = build.get("serviceAccount", "")
    assert account.startswith("projects/$PROJECT_ID/serviceAccounts/"), "serviceAccount must name the build account"
    assert "${_BUILD_SA}" in account, "serviceAccount must use the _BUILD_SA substitution"
    assert build.get("options", {}).get("logging") == "CLOUD_LOGGING_ONLY", (
        "options.logging must be CLOUD_LOGGING_ONLY: a build with its own account has no default log bucket"
    )


def test_the_timeouts_leave_room_for_the_suite(build: dict[str, Any]) -> None:
    def seconds(value: str) -> float:
        assert value.endswith("s"), value
        return float(value[:-1])

    assert seconds(build["timeout"]) >= 3000, "the build's timeout must cover the suite (about 20 min) and the rest"
    assert seconds(step(build, "test").get("timeout", "600s")) >= 1800, "step 'test' needs a timeout above 30 min"


def test_every_substitution_used_is_declared_and_every_declared_one_used(build: dict[str, Any]) -> None:
    declared = set(build.get("substitutions", {}))
    assert {"_REGION", "_SERVICE", "_REPOSITORY", "_BUILD_SA", "_RUNTIME_SA"} <= declared, f"declared: {declared}"
    assert all(name.startswith("_") for name in declared), f"user substitutions start with _: {declared}"
    used = dollars(build)
    for where, name in used:
        assert name != "$", f"step {where!r}: a lone $ (write $$ for the shell)"
        assert name in declared or name in BUILTINS, (
            f"step {where!r}: ${name} is neither a declared substitution nor a built-in (a shell variable is $${name})"
        )
    assert declared <= {name for _, name in used}, f"declared but unused: {declared - {n for _, n in used}}"


def test_no_secret_in_plain_env_and_every_secret_from_secret_manager(build: dict[str, Any]) -> None:
    secrets = {entry["env"]: entry["versionName"] for entry in build["availableSecrets"]["secretManager"]}
    for name, version in secrets.items():
        assert version.startswith("projects/$PROJECT_ID/secrets/"), f"secret {name}: {version}"
    wanted = set()
    for entry in build["steps"]:
        for pair in entry.get("env", []):
            name = pair.split("=", 1)[0]
            assert not SECRETISH.search(name), f"step {entry['id']!r}: {name} looks like a secret in plain env"
        for name in entry.get("secretEnv", []):
            assert name in secrets, f"step {entry['id']!r}: secretEnv {name} is not in availableSecrets"
            wanted.add(name)
        assert not re.search(r"cf_[A-Za-z0-9_-]{20,}", text_of(entry)), f"step {entry['id']!r}: an API key literal"
    assert wanted == set(secrets), f"availableSecrets no step reads: {set(secrets) - wanted}"
    named = " ".join(secrets.values())
    for name, value in build.get("substitutions", {}).items():
        if SECRETISH.search(name):  # only the name of a secret, never its value
            assert name.endswith("_SECRET") and "${" + name + "}" in named, f"substitution {name}: a secret's value?"
            assert re.fullmatch(r"[A-Za-z0-9_-]{1,255}", str(value)), f"substitution {name}: not a secret's name"


def test_every_shell_script_parses(build: dict[str, Any]) -> None:
    for entry in build["steps"]:
        if entry.get("entrypoint") not in ("bash", "sh"):
            continue
        script = render(entry["args"][-1], build)
        checked = subprocess.run(
            [entry["entrypoint"], "-n", "-c", script], capture_output=True, text=True, timeout=30, check=False
        )
        assert checked.returncode == 0, f"step {entry['id']!r}: {entry['entrypoint']} -n says {checked.stderr}"
