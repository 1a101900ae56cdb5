"""The interactive docs work offline under their CSP (only same-origin assets, no inline script), and the OpenAPI
document publishes the credentials and the error envelope the API really uses."""

from __future__ import annotations

import re

import httpx

from app.api.security import DOCS_CSP


async def test_the_docs_page_loads_only_same_origin_assets_that_are_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == DOCS_CSP
    assert "script-src 'self'" in DOCS_CSP and "unsafe-inline" not in DOCS_CSP
    html = page.text
    assert re.search(r"<script>|<script [^>]*>[^<]+</script>|\son\w+=", html) is None  # nothing inline
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/docs/assets/") for a in assets), assets
    for asset in assets:
        response = await client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 100
        assert response.headers["cache-control"].startswith("public")
        assert response.headers["x-content-type-options"] == "nosniff"
    init = await client.get("/docs/assets/init.js")
    assert "SwaggerUIBundle" in init.text and init.headers["content-type"].startswith("text/javascript")
    assert 'data-openapi-url="/openapi.json"' in html
    assert (await client.get("/docs/assets/../../app/config.py")).status_code == 404
    assert (await client.get("/docs/assets/secrets.txt")).status_code == 404


async def test_the_openapi_document_lists_credentials_and_the_error_envelope(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert set(schema["components"]["securitySchemes"]) == {"ApiKey", "Bearer"}
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    envelope = "#/components/schemas/ErrorEnvelope"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"]["$ref"] == envelope, (path, status)
            if path.startswith("/v1/"):
                assert operation["security"] == [{"ApiKey": []}, {"Bearer": []}], (method, path)
                assert {"401", "429"} <= set(responses), (method, path)
            else:
                assert "security" not in operation, path
    assert "403" in schema["paths"]["/v1/admin/keys"]["post"]["responses"]
    assert "Retry-After" in schema["paths"]["/v1/jobs"]["post"]["responses"]["429"]["headers"]
