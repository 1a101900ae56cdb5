"""The OpenAPI document as a contract clients are generated from: stable operation ids, every reference resolvable,
artifacts typed per type, examples that are right, and the credential a generated client sends by default."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest

from app.content.catalogue import artifact_types, spec_of
from tests.fixtures.api import wait_for_job
from tests.fixtures.app import ADMIN_KEY, text

# Renaming a route function renames its operation, and so a method of every generated client: a deliberate act.
OPERATION_IDS = {
    ("post", "/v1/jobs"): "createJob",
    ("get", "/v1/jobs"): "listJobs",
    ("get", "/v1/jobs/{job_id}"): "getJob",
    ("delete", "/v1/jobs/{job_id}"): "deleteJob",
    ("get", "/v1/jobs/{job_id}/artifacts/{artifact_type}"): "getArtifact",
    ("post", "/v1/jobs/{job_id}/cancel"): "cancelJob",
    ("post", "/v1/jobs/{job_id}/retry"): "retryJob",
    ("get", "/v1/jobs/{job_id}/events"): "getJobEvents",
    ("get", "/v1/jobs/{job_id}/export"): "exportJob",
    ("get", "/v1/jobs/{job_id}/artifacts/{artifact_type}/export"): "exportArtifact",
    ("post", "/v1/sources"): "createSource",
    ("get", "/v1/sources"): "listSources",
    ("get", "/v1/sources/{source_id}"): "getSource",
    ("delete", "/v1/sources/{source_id}"): "deleteSource",
    ("get", "/v1/sources/{source_id}/text"): "getSourceText",
    ("post", "/v1/webhooks"): "createWebhook",
    ("get", "/v1/webhooks"): "listWebhooks",
    ("get", "/v1/webhooks/{webhook_id}"): "getWebhook",
    ("delete", "/v1/webhooks/{webhook_id}"): "deleteWebhook",
    ("post", "/v1/webhooks/{webhook_id}/rotate"): "rotateWebhookSecret",
    ("get", "/v1/webhooks/{webhook_id}/deliveries"): "listWebhookDeliveries",
    ("get", "/healthz"): "healthz",
    ("get", "/readyz"): "readyz",
    ("get", "/v1/content-types"): "listContentTypes",
    ("post", "/v1/admin/keys"): "createKey",
    ("get", "/v1/admin/keys"): "listKeys",
    ("get", "/v1/admin/keys/{key_id}"): "getKey",
    ("post", "/v1/admin/keys/{key_id}/revoke"): "revokeKey",
    ("post", "/v1/admin/keys/{key_id}/rotate"): "rotateKey",
}


@pytest.fixture
async def document(extractive_client: httpx.AsyncClient) -> dict[str, Any]:
    response = await extractive_client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator for a schema of the document, its ``#/components/...`` references resolved in the document."""
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]})


def refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


async def test_operation_ids_are_short_stable_and_unique(document: dict[str, Any]) -> None:
    found = {(method, path): op["operationId"] for method, path, op in operations(document)}
    assert found == OPERATION_IDS
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", name) for name in found.values())
    assert len(set(found.values())) == len(found)


async def test_every_reference_resolves_in_the_document(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for ref in set(refs(document)):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in schemas, f"{ref} is referenced but not defined"


async def test_an_artifact_is_a_union_on_its_type_with_one_typed_schema_per_type(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    union = schemas["Artifact"]
    mapping = union["discriminator"]["mapping"]
    assert union["discriminator"]["propertyName"] == "type"
    assert set(mapping) == {a.value for a in artifact_types()}
    assert {m["$ref"] for m in union["oneOf"]} == set(mapping.values())
    for artifact in artifact_types():
        member = schemas[mapping[artifact.value].removeprefix("#/components/schemas/")]
        assert member["properties"]["type"]["const"] == artifact.value
        model = spec_of(artifact).model.__name__
        assert member["properties"]["content"] == {"$ref": f"#/components/schemas/{model}"}
        assert {"type", "content", "generated_by", "cached", "grounded"} <= set(member["required"])
    route = document["paths"]["/v1/jobs/{job_id}/artifacts/{artifact_type}"]["get"]
    answer = route["responses"]["200"]["content"]["application/json"]
    assert answer["schema"] == {"$ref": "#/components/schemas/Artifact"}


async def test_every_artifact_the_api_serves_matches_its_published_schema(
    extractive_client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    created = await extractive_client.post("/v1/jobs", json={"source_text": text("photosynthesis.txt")})
    assert created.status_code == 202, created.text
    job = await wait_for_job(extractive_client, created.json()["id"])
    assert job["status"] == "succeeded", job
    check = validator(document, {"$ref": "#/components/schemas/Artifact"})
    for artifact in artifact_types():
        served = await extractive_client.get(f"/v1/jobs/{job['id']}/artifacts/{artifact.value}")
        assert served.status_code == 200
        check.validate(served.json())
        wrong = {**served.json(), "type": "faq" if artifact.value != "faq" else "quiz"}  # content of another type
        assert not check.is_valid(wrong), artifact
    check_job = validator(document, {"$ref": "#/components/schemas/JobPublic"})
    check_job.validate(job)


def _examples(document: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any], Any]]:
    """(where, method, path, schema, value) for every example in a request body or an answer."""
    for method, path, operation in operations(document):
        places = [("request", operation.get("requestBody", {}))]
        places += [(f"answer {status}", r) for status, r in operation.get("responses", {}).items()]
        for where, place in places:
            for media, content in place.get("content", {}).items():
                if "schema" not in content:
                    continue
                if "example" in content:
                    yield f"{where} {media}", method, path, content["schema"], content["example"]
                for name, example in content.get("examples", {}).items():
                    yield f"{where} {media} {name}", method, path, content["schema"], example["value"]


async def test_every_example_matches_its_schema(document: dict[str, Any]) -> None:
    found = list(_examples(document))
    assert {(w.split()[0], m, p) for w, m, p, _, _ in found} >= {
        ("request", "post", "/v1/jobs"),
        ("request", "post", "/v1/sources"),
        ("answer", "post", "/v1/jobs"),
        ("answer", "get", "/v1/jobs/{job_id}/artifacts/{artifact_type}"),
    }
    for where, method, path, schema, value in found:
        errors = list(validator(document, schema).iter_errors(value))
        assert not errors, f"{method.upper()} {path} {where}: {errors[0].message}"
    for name, schema in document["components"]["schemas"].items():
        for value in schema.get("examples", []):
            errors = list(validator(document, schema).iter_errors(value))
            assert not errors, f"{name} example: {errors[0].message}"


async def test_every_request_example_is_accepted_by_the_api_as_it_is(
    extractive_client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    sent = 0
    for where, method, path, _, value in _examples(document):
        if not where.startswith("request"):
            continue
        response = await extractive_client.request(method, path, json=value)
        assert response.status_code < 300, f"{method.upper()} {path} {where}: {response.text}"
        sent += 1
        if path == "/v1/jobs":
            job = await wait_for_job(extractive_client, response.json()["id"])
            assert job["status"] == "succeeded", (where, job)
    assert sent >= 3


async def test_a_generated_clients_default_credential_an_api_key_as_a_bearer_token_is_accepted(
    extractive_client: httpx.AsyncClient,
) -> None:
    bearer = {"X-API-Key": "", "Authorization": f"Bearer {ADMIN_KEY}"}
    assert (await extractive_client.get("/v1/jobs", headers=bearer)).status_code == 200
    wrong = {"X-API-Key": "", "Authorization": "Bearer cf_not_a_key_of_this_service_0123456789abcdefghijk"}
    refused = await extractive_client.get("/v1/jobs", headers=wrong)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_api_key"


async def test_the_docs_keep_the_credential_across_reloads(extractive_client: httpx.AsyncClient) -> None:
    init = await extractive_client.get("/docs/assets/init.js")
    assert re.search(r"persistAuthorization:\s*true", init.text)
