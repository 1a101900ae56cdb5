"""The published API description, and the interactive docs that show it.

The OpenAPI document states what every route really answers: each error response carries the one error envelope
(``app.errors``), and each route behind an ``Authenticate`` dependency lists its credentials (an API key, or an Identity
Platform ID token) and its 401, 403 and 429 answers.

``/docs`` is Swagger UI served from this process, with the assets the ``fastapi-offline`` package ships and an
initialiser script of our own, so it works with no network and under a CSP that allows same-origin scripts only
(no inline script). It keeps the credential it was given across reloads (``persistAuthorization``, in the
browser's local storage). Production serves neither (``create_app``).

Each operation's id is its route function's name in camel case (``create_job`` -> ``createJob``): short and
stable, the method names of a generated client. Renaming a route function renames an operation, so
``tests/api/test_openapi.py`` pins the list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Union

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field, TypeAdapter

from app.api import examples
from app.api.deps import Authenticate
from app.jobs.schemas import typed_artifacts
from app.sources.schemas import SourceCreate, SourceSpan

ASSETS = Path(fastapi_offline.__file__).parent / "static"
_ASSET_TYPES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css", "favicon.png": "image/png"}
_INIT_JS = """window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
  });
});
"""
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} — API docs</title>
<link rel="stylesheet" href="{root}/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="{root}/docs/assets/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{root}{openapi_url}"></div>
<script src="{root}/docs/assets/swagger-ui-bundle.js"></script>
<script src="{root}/docs/assets/init.js"></script>
</body>
</html>
"""
_ASSET_CACHE = {"Cache-Control": "public, max-age=86400"}


class ErrorBody(BaseModel):
    code: str = Field(description="Stable, machine-readable reason, e.g. 'rate_limited'.")
    message: str
    details: Any = Field(default=None, description="Specifics, e.g. the offending fields; may be null.")
    request_id: str


class ErrorEnvelope(BaseModel):
    error: ErrorBody


def operation_id(route: APIRoute) -> str:
    """The operation id of a route: its function's name in camel case (``get_source_text`` -> ``getSourceText``)."""
    head, *rest = route.name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and its assets (call only outside production)."""

    @app.get("/docs", include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        return HTMLResponse(_PAGE.format(title=app.title, root=app.root_path, openapi_url=app.openapi_url))

    @app.get("/docs/assets/init.js", include_in_schema=False)
    async def docs_init() -> Response:
        return Response(_INIT_JS, media_type="text/javascript", headers=_ASSET_CACHE)

    @app.get("/docs/assets/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> Response:
        media_type = _ASSET_TYPES.get(name)
        if media_type is None:  # only the files named above: no path is built from the request
            return Response(status_code=404)
        return FileResponse(ASSETS / name, media_type=media_type, headers=_ASSET_CACHE)


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` publish the error envelope and the credentials (see the module docstring)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(app, generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


_SECURITY_SCHEMES = {
    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "A Content Factory API key."},
    "Bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A Content Factory API key (cf_…), or an Identity Platform (Firebase Auth) ID token of a "
        "signed-in user.",
    },
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}}


# Bodies that routes read or write themselves (a multipart-or-JSON upload, a text-or-JSON answer): their routes name
# them by reference, so the document must hold them.
_BODIES_BY_HAND: tuple[type[BaseModel], ...] = (SourceCreate, SourceSpan)


def _add_examples(operation: dict[str, Any]) -> None:
    name = operation.get("operationId", "")
    if name in examples.REQUESTS:
        operation["requestBody"]["content"]["application/json"]["examples"] = examples.REQUESTS[name]
    for status, response in operation.get("responses", {}).items():
        if (name, status) in examples.ANSWERS:
            response["content"]["application/json"]["example"] = examples.ANSWERS[name, status]


def _artifact_union() -> dict[str, Any]:
    """The schemas of ``GET …/artifacts/{type}``: ``Artifact``, a union on ``type`` of one envelope per registered
    type (``FlashcardsArtifact`` …), and every model they use. Built from the catalogue when the document is."""
    members = typed_artifacts()
    union: TypeAdapter[Any] = TypeAdapter(Annotated[Union[members], Field(discriminator="type")])  # type: ignore[arg-type]  # noqa: UP007
    schema = union.json_schema(mode="serialization", ref_template="#/components/schemas/{model}")
    defs: dict[str, Any] = schema.pop("$defs", {})
    schema["title"] = "Artifact"
    return {**defs, "Artifact": schema}


def _document(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    envelope = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(envelope.pop("$defs", {}))
    schemas["ErrorEnvelope"] = envelope
    schemas.update(_artifact_union())
    for model in _BODIES_BY_HAND:
        published = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(published.pop("$defs", {}))
        schemas[model.__name__] = published
    components["securitySchemes"] = _SECURITY_SCHEMES
    for context in iter_route_contexts(app.routes):  # included routers' routes, with their full paths
        route = context.original_route
        if not isinstance(route, APIRoute) or context.path_format is None:
            continue
        gate = next((d.call for d in route.dependant.dependencies if isinstance(d.call, Authenticate)), None)
        for method in context.methods or ():
            operation = schema["paths"].get(context.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("414", {"description": "The query string is longer than 8 KiB"})
            responses.setdefault("431", {"description": "The request headers are larger than CF_MAX_HEADER_BYTES"})
            if "requestBody" in operation:  # answered by the edge and the body parser before the route
                responses.setdefault("400", {"description": "The body is not valid JSON"})
                responses.setdefault("413", {"description": "The body is larger than CF_MAX_BODY_BYTES"})
                responses.setdefault("415", {"description": "The body is not JSON"})
            if gate is not None:
                operation["security"] = [{"ApiKey": []}, {"Bearer": []}]
                responses.setdefault("401", {"description": "Missing, invalid, expired or revoked credential"})
                if gate.scope is not None:
                    responses.setdefault("403", {"description": f"The credential lacks the '{gate.scope}' scope"})
                limited = {"description": "Rate limit or daily token quota exceeded", "headers": _RETRY_AFTER}
                responses.setdefault("429", limited)
            _add_examples(operation)
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    response["content"] = {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}
                    }
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema
