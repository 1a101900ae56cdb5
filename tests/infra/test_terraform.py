"""infra/terraform, read without a provider or a cloud account: every IAM binding keeps to least privilege (no
primitive role, run.invoker and secretAccessor never on the project, public access only behind var.public, the
runtime's project roles an exact allowlist, the tasks account able to invoke this service and nothing else),
docs/iam.md lists exactly those bindings, the queue, Firestore indexes, sweep job and alert policies are generated
from the files under infra/ rather than copied, Memorystore and the bucket are locked down, checkov fails nothing
and every skip says why, and the files are formatted. ``violations`` is the IAM policy check: the real tree has
none, and trees with a forbidden grant added are refused with the grant's resource address named."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no type information

from app.config import Settings
from tests.infra import tools
from tests.infra.test_cloudbuild import ROOT

TF_DIR = ROOT / "infra" / "terraform"
IAM_DOC = ROOT / "docs" / "iam.md"
QUEUE_YAML = ROOT / "infra" / "cloudtasks" / "queue.yaml"
INDEXES_JSON = ROOT / "infra" / "firestore" / "firestore.indexes.json"
ALERTS_YML = ROOT / "infra" / "prometheus" / "alerts.yml"

PRIMITIVE_ROLES = {"roles/owner", "roles/editor", "roles/viewer"}
PUBLIC_MEMBERS = {"allUsers", "allAuthenticatedUsers"}
# Project-level roles each service account holds, and no other: the only ones that cannot be granted lower.
PROJECT_ROLES = {
    "runtime": {"roles/datastore.user", "roles/monitoring.metricWriter", "roles/aiplatform.user"},
    "build": {"roles/logging.logWriter"},
}
# The project-level roles that exist only for an optional feature, and the variable their count must follow.
CONDITIONAL_ROLES = {"roles/aiplatform.user": "vertex_ai"}
RUN_SERVICE_IAM = {"google_cloud_run_v2_service_iam_member", "google_cloud_run_service_iam_member"}
SA_DOMAIN = "@PROJECT_ID.iam.gserviceaccount.com"
# The attribute that names the resource a binding is on, by binding type.
SCOPE_ATTRIBUTES = ("name", "secret_id", "bucket", "topic", "repository", "service_account_id", "subscription")
REFERENCE = re.compile(r"\$\{([a-z][a-z0-9_]*\.[a-z0-9_-]+(?:\[\"[^\"]*\"\]|\[\d+\])?)\.")
SA_REFERENCE = re.compile(r"\$\{google_service_account\.([a-z0-9_-]+)\.(?:member|email)\}")


# --- reading the tree -------------------------------------------------------------------------------------------


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def _clean(value: Any) -> Any:
    """python-hcl2's output without its bookkeeping: quotes around literal strings and keys, ``__x__`` keys."""
    if isinstance(value, dict):
        return {_unquote(k): _clean(v) for k, v in value.items() if not (k.startswith("__") and k.endswith("__"))}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return _unquote(value)
    return value


@dataclass(frozen=True)
class Tree:
    resources: dict[str, dict[str, Any]]  # "type.name" -> its body
    variables: dict[str, dict[str, Any]]
    locals: dict[str, Any]
    texts: dict[str, str]  # file name -> its text


def load(tf_dir: Path) -> Tree:
    resources: dict[str, dict[str, Any]] = {}
    variables: dict[str, dict[str, Any]] = {}
    local_values: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for path in sorted(tf_dir.glob("*.tf")):
        texts[path.name] = path.read_text()
        parsed = _clean(hcl2.loads(texts[path.name]))
        for block in parsed.get("resource", []):
            for kind, named in block.items():
                for name, body in named.items():
                    address = f"{kind}.{name}"
                    assert address not in resources, f"{address} is declared twice"
                    resources[address] = body
        for block in parsed.get("variable", []):
            variables.update(block)
        for block in parsed.get("locals", []):
            local_values.update(block)
    return Tree(resources, variables, local_values, texts)


@pytest.fixture(scope="module")
def tree() -> Tree:
    return load(TF_DIR)


def of_type(tree: Tree, kind: str) -> dict[str, dict[str, Any]]:
    return {address: body for address, body in tree.resources.items() if address.split(".")[0] == kind}


def one(tree: Tree, kind: str) -> dict[str, Any]:
    found = of_type(tree, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.values()))


def block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The one nested block ``name`` of a resource body."""
    blocks = body.get(name)
    assert isinstance(blocks, list) and len(blocks) == 1, f"expected one {name} block, found {blocks!r}"
    found: dict[str, Any] = blocks[0]
    return found


# --- IAM ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Binding:
    address: str
    kind: str
    member: str
    role: str
    scope: str  # "project", or the address of the resource the binding is on
    count: str | None


def _member(tree: Tree, raw: str) -> str:
    """A member as docs/iam.md writes it: a service account of this tree by its account id."""
    match = SA_REFERENCE.fullmatch(raw) or SA_REFERENCE.search(raw)
    if match:
        account = tree.resources.get(f"google_service_account.{match.group(1)}", {}).get("account_id", match.group(1))
        return f"serviceAccount:{account}{SA_DOMAIN}"
    return raw


def _scope(kind: str, body: dict[str, Any]) -> str:
    if kind.startswith(("google_project_iam_", "google_organization_iam_", "google_folder_iam_")):
        return "project" if kind.startswith("google_project_iam_") else kind.split("_iam_")[0].removeprefix("google_")
    for attribute in SCOPE_ATTRIBUTES:
        value = body.get(attribute)
        if isinstance(value, str):
            match = REFERENCE.search(value)
            return match.group(1) if match else value
    return "unknown"


def is_iam(kind: str) -> bool:
    return kind.endswith(("_iam_member", "_iam_binding", "_iam_policy"))


def bindings(tree: Tree) -> list[Binding]:
    found: list[Binding] = []
    for address, body in tree.resources.items():
        kind = address.split(".")[0]
        if not is_iam(kind) or kind.endswith("_iam_policy"):
            continue
        members = body.get("members", []) if kind.endswith("_iam_binding") else [body.get("member", "")]
        for member in members:
            found.append(
                Binding(
                    address=address,
                    kind=kind,
                    member=_member(tree, str(member)),
                    role=str(body.get("role", "")),
                    scope=_scope(kind, body),
                    count=body.get("count"),
                )
            )
    return found


def _account(member: str) -> str | None:
    """The account id of a service account member of this project (runtime, tasks, build)."""
    if member.startswith("serviceAccount:") and member.endswith(SA_DOMAIN):
        return member.removeprefix("serviceAccount:").removesuffix(SA_DOMAIN)
    return None


def _counted_on(count: str | None, variable: str) -> bool:
    return count is not None and re.fullmatch(rf"\$\{{var\.{variable}\s*\?\s*1\s*:\s*0\}}", count) is not None


def violations(tf_dir: Path) -> list[str]:
    """Every way the tree's IAM departs from least privilege, each naming the binding's resource address."""
    tree = load(tf_dir)
    found: list[str] = []
    for address in tree.resources:
        kind = address.split(".")[0]
        if kind.endswith("_iam_policy"):
            found.append(f"{address}: an authoritative policy replaces bindings made elsewhere; use *_iam_member")
        elif kind.endswith("_iam_binding"):
            found.append(f"{address}: an authoritative binding removes other members of the role; use *_iam_member")
    granted: dict[str, set[str]] = {account: set() for account in PROJECT_ROLES}
    tasks_bindings = 0
    for b in bindings(tree):
        where = f"{b.address} ({b.member} {b.role} on {b.scope})"
        account = _account(b.member)
        if b.role in PRIMITIVE_ROLES:
            found.append(f"{where}: primitive role {b.role}")
        if b.scope != "project" and b.kind.startswith(("google_organization_iam_", "google_folder_iam_")):
            found.append(f"{where}: granted above the project")
        if b.role == "roles/run.invoker" and b.kind not in RUN_SERVICE_IAM:
            found.append(f"{where}: run.invoker must be granted on the service, never on the {b.scope}")
        if b.role == "roles/secretmanager.secretAccessor" and not (
            b.kind == "google_secret_manager_secret_iam_member" and b.scope.startswith("google_secret_manager_secret.")
        ):
            found.append(f"{where}: secretAccessor must be granted on one named secret, never on the {b.scope}")
        if b.member in PUBLIC_MEMBERS:
            if b.role != "roles/run.invoker" or b.kind not in RUN_SERVICE_IAM:
                found.append(f"{where}: {b.member} may only get run.invoker on the service")
            public = tree.variables.get("public", {})
            if not _counted_on(b.count, "public") or public.get("default") is not False:
                found.append(f"{where}: {b.member} must sit under count = var.public ? 1 : 0 (false by default)")
        if b.scope == "project":
            if account in PROJECT_ROLES and b.role in PROJECT_ROLES[account]:
                granted[account].add(b.role)
            else:
                found.append(f"{where}: {b.role} is not on the project allowlist of {account or b.member}")
            variable = CONDITIONAL_ROLES.get(b.role)
            if variable and not _counted_on(b.count, variable):
                found.append(f"{where}: {b.role} must sit under count = var.{variable} ? 1 : 0")
        if account == "tasks":
            tasks_bindings += 1
            if not (b.role == "roles/run.invoker" and b.kind in RUN_SERVICE_IAM):
                found.append(f"{where}: the tasks account may only invoke the service")
    missing = PROJECT_ROLES["runtime"] - granted["runtime"]
    if missing:
        found.append(f"google_project_iam_member (runtime): the runtime lacks its project roles {sorted(missing)}")
    if tasks_bindings == 0:
        found.append("google_cloud_run_v2_service_iam_member (tasks): the tasks account cannot invoke the service")
    return found


def test_terraform_iam_keeps_to_least_privilege() -> None:
    assert violations(TF_DIR) == []


def test_the_runtime_and_tasks_accounts_have_the_ids_cloudbuild_yaml_names(tree: Tree) -> None:
    substitutions = yaml.safe_load((ROOT / "cloudbuild.yaml").read_text())["substitutions"]
    accounts = {body["account_id"] for body in of_type(tree, "google_service_account").values()}
    assert accounts == {substitutions["_RUNTIME_SA"], substitutions["_BUILD_SA"], "tasks"}
    assert tree.variables["region"]["default"] == substitutions["_REGION"]
    assert tree.variables["service"]["default"] == substitutions["_SERVICE"] == substitutions["_REPOSITORY"]
    registry = one(tree, "google_artifact_registry_repository")
    assert registry["repository_id"] == "${var.service}" and registry["format"] == "DOCKER"
    assert re.search(rf'=\s*"{re.escape(substitutions["_SMOKE_KEY_SECRET"])}"', tree.texts["secrets.tf"]), (
        "no secret is named like cloudbuild.yaml's _SMOKE_KEY_SECRET"
    )


def test_the_build_account_holds_what_cloudbuild_yaml_needs_and_no_more(tree: Tree) -> None:
    build = {(b.role, b.scope) for b in bindings(tree) if _account(b.member) == "build"}
    assert build == {
        ("roles/artifactregistry.writer", "google_artifact_registry_repository.images"),
        ("roles/run.developer", "google_cloud_run_v2_service.app"),
        ("roles/run.invoker", "google_cloud_run_v2_service.app"),
        ("roles/iam.serviceAccountUser", "google_service_account.runtime"),
        ("roles/logging.logWriter", "project"),
        ("roles/secretmanager.secretAccessor", 'google_secret_manager_secret.secret["smoke_api_key"]'),
    }


def test_every_secret_the_service_reads_is_granted_to_the_runtime_one_by_one(tree: Tree) -> None:
    run = tree.texts["run.tf"]
    env_section = run.split("secret_env = merge(", 1)[1].split("plain_env", 1)[0]
    read = set(re.findall(r'"([a-z_]+)"', env_section))
    read |= set(re.findall(r'google_secret_manager_secret\.secret\["([a-z_]+)"\]', run))
    granted = [
        b.scope.split('"')[1]
        for b in bindings(tree)
        if b.role == "roles/secretmanager.secretAccessor" and _account(b.member) == "runtime"
    ]
    assert len(granted) == len(set(granted)), f"a secret granted twice: {granted}"
    assert read and set(granted) == read, f"read by run.tf: {sorted(read)}, granted: {sorted(granted)}"
    assert "smoke_api_key" not in granted, "the runtime has no use for the smoke test's key"


# --- mutations: the policy check refuses what it must ---------------------------------------------------------


def mutated(tmp_path: Path, extra: str) -> Path:
    copy = tmp_path / "terraform"
    shutil.copytree(TF_DIR, copy, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    (copy / "mutant.tf").write_text(extra)
    return copy


def assert_refused(found: list[str], address: str, words: str) -> None:
    named = [v for v in found if v.startswith(address)]
    assert named, f"no violation names {address}: {found}"
    assert any(words in v for v in named), f"{address} refused, but not for {words!r}: {named}"


def test_a_project_editor_grant_is_refused_by_name(tmp_path: Path) -> None:
    tf = mutated(
        tmp_path,
        'resource "google_project_iam_member" "runtime_editor" {\n'
        "  project = var.project_id\n"
        '  role    = "roles/editor"\n'
        "  member  = google_service_account.runtime.member\n"
        "}\n",
    )
    assert_refused(violations(tf), "google_project_iam_member.runtime_editor", "primitive role roles/editor")


def test_a_project_wide_run_invoker_is_refused_by_name(tmp_path: Path) -> None:
    tf = mutated(
        tmp_path,
        'resource "google_project_iam_member" "everyone_invokes" {\n'
        "  project = var.project_id\n"
        '  role    = "roles/run.invoker"\n'
        "  member  = google_service_account.tasks.member\n"
        "}\n",
    )
    found = violations(tf)
    assert_refused(found, "google_project_iam_member.everyone_invokes", "run.invoker must be granted on the service")
    assert_refused(found, "google_project_iam_member.everyone_invokes", "the tasks account may only invoke")


def test_a_project_wide_secret_accessor_is_refused_by_name(tmp_path: Path) -> None:
    tf = mutated(
        tmp_path,
        'resource "google_project_iam_member" "runtime_all_secrets" {\n'
        "  project = var.project_id\n"
        '  role    = "roles/secretmanager.secretAccessor"\n'
        '  member  = "serviceAccount:${google_service_account.runtime.email}"\n'
        "}\n",
    )
    assert_refused(violations(tf), "google_project_iam_member.runtime_all_secrets", "one named secret")


def test_public_access_not_tied_to_var_public_is_refused_by_name(tmp_path: Path) -> None:
    tf = mutated(
        tmp_path,
        'resource "google_cloud_run_v2_service_iam_member" "always_public" {\n'
        "  name     = google_cloud_run_v2_service.app.name\n"
        "  location = google_cloud_run_v2_service.app.location\n"
        '  role     = "roles/run.invoker"\n'
        '  member   = "allUsers"\n'
        "}\n",
    )
    assert_refused(violations(tf), "google_cloud_run_v2_service_iam_member.always_public", "count = var.public")


def test_vertex_ai_granted_without_its_count_is_refused_by_name(tmp_path: Path) -> None:
    tf = mutated(tmp_path, "")
    iam = (tf / "iam.tf").read_text()
    assert "count = var.vertex_ai ? 1 : 0" in iam
    (tf / "iam.tf").write_text(iam.replace("count = var.vertex_ai ? 1 : 0", "", 1))
    assert_refused(violations(tf), "google_project_iam_member.runtime_vertex_ai", "count = var.vertex_ai")


# --- docs/iam.md --------------------------------------------------------------------------------------------------


def documented() -> set[tuple[str, str, str, str]]:
    """docs/iam.md's binding rows: (address, member, role, scope), each cell in backticks."""
    rows: set[tuple[str, str, str, str]] = set()
    for line in IAM_DOC.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and re.fullmatch(r"`google_[a-z0-9_]+\.[a-z0-9_]+`", cells[0]):
            address, member, role, scope = (cell.strip("`") for cell in cells[:4])
            rows.add((address, member, role, scope))
    return rows


def test_docs_iam_lists_exactly_the_bindings_of_the_terraform(tree: Tree) -> None:
    actual = {(b.address, b.member, b.role, b.scope) for b in bindings(tree)}
    listed = documented()
    missing = sorted(actual - listed)
    extra = sorted(listed - actual)
    assert not missing and not extra, (
        "docs/iam.md and infra/terraform disagree:\n"
        + "".join(f"  missing from docs/iam.md: {row}\n" for row in missing)
        + "".join(f"  in docs/iam.md, not in the terraform: {row}\n" for row in extra)
    )


# --- generated from the files under infra/ ------------------------------------------------------------------------


def _numbers(value: Any) -> list[float]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [value]
    return []


def test_the_queue_is_configured_from_queue_yaml_alone(tree: Tree) -> None:
    assert tree.locals["queue_config"] == '${yamldecode(file("${path.module}/../cloudtasks/queue.yaml"))}'
    queue = one(tree, "google_cloud_tasks_queue")
    assert queue["name"] == "${local.queue_config.name}"
    spec = yaml.safe_load(QUEUE_YAML.read_text())
    for tf_block, section in (("rate_limits", "rateLimits"), ("retry_config", "retryConfig")):
        settings = block(queue, tf_block)
        assert set(settings) == {re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower() for key in spec[section]}
        for name, value in settings.items():
            assert isinstance(value, str) and value.startswith(f"${{local.queue_config.{section}."), (tf_block, name)
    literal = set(_numbers({k: v for k, v in queue.items() if k in ("rate_limits", "retry_config")}))
    assert not literal, f"numbers written in the queue resource: {literal}"
    for value in [*spec["rateLimits"].values(), *spec["retryConfig"].values()]:
        written = re.search(rf"=\s*\"?{re.escape(str(value))}\"?\s*$", tree.texts["tasks.tf"], re.MULTILINE)
        assert not written, f"tasks.tf repeats {value!r} from queue.yaml"


def test_firestore_indexes_and_field_overrides_are_generated_from_the_json(tree: Tree) -> None:
    assert tree.locals["firestore_json"] == '${jsondecode(file("${path.module}/../firestore/firestore.indexes.json"))}'
    assert "local.firestore_json.indexes" in tree.locals["firestore_indexes"]
    assert "local.firestore_json.fieldOverrides" in tree.locals["firestore_fields"]
    index = one(tree, "google_firestore_index")
    field = one(tree, "google_firestore_field")
    assert index["for_each"] == "${local.firestore_indexes}"
    assert field["for_each"] == "${local.firestore_fields}"
    dynamic_fields = block(index, "dynamic")["fields"]
    assert dynamic_fields["for_each"] == "${each.value.fields}"
    assert {"field_path", "order", "array_config"} <= set(block(dynamic_fields, "content"))
    ttl = block(field, "dynamic")["ttl_config"]
    assert ttl["for_each"] == "${each.value.ttl ? [1] : []}"
    spec = json.loads(INDEXES_JSON.read_text())
    assert any(override.get("ttl") for override in spec["fieldOverrides"]), "the JSON has no TTL field any more"
    # The key of each index names its fields, so two indexes of one collection never collide.
    keys = {(i["collectionGroup"], tuple(f["fieldPath"] for f in i["fields"])) for i in spec["indexes"]}
    assert len(keys) == len(spec["indexes"])
    database = one(tree, "google_firestore_database")
    assert database["type"] == "FIRESTORE_NATIVE"
    assert database["point_in_time_recovery_enablement"] == "POINT_IN_TIME_RECOVERY_ENABLED"
    assert database["delete_protection_state"] == "DELETE_PROTECTION_ENABLED"


def test_the_sweep_job_follows_sweep_yaml_with_the_tasks_identity(tree: Tree) -> None:
    assert tree.locals["sweep_config"] == '${yamldecode(file("${path.module}/../cloudscheduler/sweep.yaml"))}'
    job = one(tree, "google_cloud_scheduler_job")
    assert job["schedule"] == "${local.sweep_config.schedule}"
    assert job["attempt_deadline"] == "${local.sweep_config.attemptDeadline}"
    target = block(job, "http_target")
    sweep = yaml.safe_load((ROOT / "infra" / "cloudscheduler" / "sweep.yaml").read_text())
    assert sweep["httpTarget"]["uri"].endswith("/internal/sweep")
    assert "local.sweep_config.httpTarget.uri" in target["uri"]
    oidc = block(target, "oidc_token")
    assert oidc["service_account_email"] == "${google_service_account.tasks.email}"
    assert "local.service_url" in oidc["audience"]


def test_every_alert_rule_becomes_an_alert_policy_routed_by_severity(tree: Tree) -> None:
    assert tree.locals["alert_groups"] == '${yamldecode(file("${path.module}/../prometheus/alerts.yml")).groups}'
    policy = one(tree, "google_monitoring_alert_policy")
    assert policy["for_each"] == "${local.alert_rules}"
    condition = block(block(policy, "conditions"), "condition_prometheus_query_language")
    assert "each.value.expr" in condition["query"]
    assert "each.value.labels.severity" in policy["notification_channels"]
    rules = [r for g in yaml.safe_load(ALERTS_YML.read_text())["groups"] for r in g["rules"] if "alert" in r]
    assert {r["labels"]["severity"] for r in rules} <= {"page", "ticket"}, "a severity monitoring.tf does not route"
    for name in ("paging", "email"):
        channel = tree.resources[f"google_monitoring_notification_channel.{name}"]
        assert channel.get("count"), f"the {name} channel must be optional"


# --- what the resources themselves hold --------------------------------------------------------------------------


def test_memorystore_requires_auth_and_tls(tree: Tree) -> None:
    redis = one(tree, "google_redis_instance")
    assert redis["auth_enabled"] is True
    assert redis["transit_encryption_mode"] == "SERVER_AUTHENTICATION"
    assert "google_compute_network.vpc" in redis["authorized_network"]
    assert re.search(r'"rediss://:%s@%s:%d/0\?ssl_ca_certs=', tree.texts["secrets.tf"]), "CF_REDIS_URL is not TLS"


def test_the_bucket_is_private_uniform_and_expires_exports(tree: Tree) -> None:
    bucket = one(tree, "google_storage_bucket")
    assert bucket["public_access_prevention"] == "enforced"
    assert bucket["uniform_bucket_level_access"] is True
    assert block(bucket, "versioning")["enabled"] is True
    prefixes = [
        (block(rule, "condition").get("matches_prefix"), block(rule, "action")["type"])
        for rule in bucket["lifecycle_rule"]
    ]
    assert (["exports/"], "Delete") in prefixes, prefixes
    assert not any(prefix and "sources/" in prefix for prefix, _ in prefixes), "sources are kept until deleted"


def test_the_service_sets_only_settings_the_app_reads(tree: Tree) -> None:
    service = one(tree, "google_cloud_run_v2_service")
    assert service["template"][0]["service_account"] == "${google_service_account.runtime.email}"
    names = set(re.findall(r"^\s+\(?([A-Z][A-Z0-9_]+)\)?\s+=", tree.texts["run.tf"], re.MULTILINE))
    names |= {"GEMINI_API_KEY", "OPENAI_API_KEY"} if "OPENAI_API_KEY" in tree.texts["run.tf"] else set()
    known = {f"CF_{name.upper()}" for name in Settings.model_fields} | {
        str(field.validation_alias) for field in Settings.model_fields.values() if field.validation_alias
    }
    assert {"CF_ENVIRONMENT", "CF_STORE", "CF_QUEUE", "CF_CACHE", "CF_STORAGE", "CF_REDIS_URL"} <= names
    assert names <= known, f"run.tf sets variables the app does not read: {sorted(names - known)}"
    grace = tree.variables["shutdown_grace_seconds"]["default"]
    assert grace == Settings.model_fields["shutdown_grace_seconds"].default and grace < 10
    ignored = service["lifecycle"][0]["ignore_changes"]
    assert "${template[0].containers[0].image}" in ignored or "template[0].containers[0].image" in ignored


def test_every_variable_has_a_description_and_a_type(tree: Tree) -> None:
    lacking = [name for name, body in tree.variables.items() if not body.get("description") or not body.get("type")]
    assert not lacking, f"variables without description or type: {lacking}"
    assert tree.variables["public"]["default"] is False and tree.variables["vertex_ai"]["default"] is False


# --- checkov and terraform fmt ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkov_report() -> dict[str, Any]:
    # Not --quiet: the report then keeps the skipped checks, which the skip test compares with the comments.
    result = tools.run("checkov", "-d", str(TF_DIR), "--framework", "terraform", "-o", "json")
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_checkov_fails_no_check_on_the_terraform(checkov_report: dict[str, Any]) -> None:
    failed = checkov_report["results"].get("failed_checks", [])
    assert not failed, "checkov:\n" + "\n".join(f"  {c['check_id']} {c['resource']} {c['check_name']}" for c in failed)
    assert checkov_report["summary"]["parsing_errors"] == 0, checkov_report["summary"]
    assert checkov_report["summary"]["resource_count"] >= 40, checkov_report["summary"]


def test_every_checkov_skip_has_a_reason_and_is_used(tree: Tree, checkov_report: dict[str, Any]) -> None:
    skips = [
        (name, match.group(1), (match.group(2) or "").strip())
        for name, text in tree.texts.items()
        for match in re.finditer(r"checkov:skip=([A-Z0-9_]+)(?::(.*))?", text)
    ]
    assert all(len(reason) >= 20 for _, _, reason in skips), f"a skip without a real reason: {skips}"
    used = {c["check_id"] for c in checkov_report["results"].get("skipped_checks", [])}
    unused = [(name, check) for name, check, _ in skips if check not in used]
    assert not unused, f"skips of checks checkov does not run on that resource: {unused}"


def test_the_terraform_is_formatted() -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed here")
    result = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", "-diff", str(TF_DIR)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
