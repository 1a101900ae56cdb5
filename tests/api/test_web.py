"""The study page over ASGI: ``/`` is HTML under its own strict CSP with nothing inline, every file it loads is
served with its type and an ETag, and nothing outside its folder's listing is served."""

from __future__ import annotations

import re

import httpx

from app.api.security import WEB_CSP
from app.api.web import MEDIA_TYPES, WEB_DIR

STRICT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
_IMPORT = re.compile(r"""^import\s[^"']*["']\./([a-z0-9-]+\.js)["'];""", re.MULTILINE)


async def test_the_page_is_html_under_its_own_strict_csp_with_nothing_inline(client: httpx.AsyncClient) -> None:
    page = await client.get("/", headers={"X-API-Key": ""})  # the page itself needs no key
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == WEB_CSP == STRICT_CSP
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"
    html = page.text
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == ['<script type="module" src="/web/main.js">'], scripts
    assert re.search(r"<script\b[^>]*>\s*[^<\s]", html) is None  # no script body
    assert re.search(r"<style\b", html) is None
    assert re.search(r"\sstyle\s*=", html) is None
    assert re.search(r"\son[a-z]+\s*=", html) is None  # no inline event handler
    assert "javascript:" not in html
    assert '<html lang="en">' in html and 'name="viewport"' in html
    for landmark in ("<header", "<main", "<aside", "<footer", 'role="alert"', 'aria-live="polite"'):
        assert landmark in html, landmark
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/web/", "#")), url  # same origin only


async def test_every_file_the_page_loads_is_served_with_its_type_and_an_etag(client: httpx.AsyncClient) -> None:
    html = (await client.get("/")).text
    wanted = [url.removeprefix("/web/") for url in re.findall(r'(?:src|href)="(/web/[^"]+)"', html)]
    served: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name in served:
            continue
        response = await client.get(f"/web/{name}")
        assert response.status_code == 200, name
        suffix = name[name.rindex(".") :]
        assert response.headers["content-type"] == MEDIA_TYPES[suffix], name
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-cache"
        again = await client.get(f"/web/{name}", headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b"", name
        served.add(name)
        if suffix == ".js":
            wanted += _IMPORT.findall(response.text)  # the modules it imports, in turn
    assert {"main.js", "app.css", "icon.svg", "api.js", "stream.js", "artifacts.js"} <= served
    on_disk = {path.name for path in WEB_DIR.iterdir() if path.suffix in MEDIA_TYPES}
    assert served == on_disk, "a file in app/web that the page never loads, or one it loads that is missing"
    page = await client.get("/", headers={"If-None-Match": (await client.get("/")).headers["etag"]})
    assert page.status_code == 304


async def test_only_the_folders_own_files_are_served(client: httpx.AsyncClient) -> None:
    for path in (
        "/web/nowhere.js",
        "/web/index.html",  # the page is served at / only, under its CSP
        "/web/../app/config.py",
        "/web/%2e%2e%2fweb.py",
        "/web/..%2f..%2fpyproject.toml",
        "/web/",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/json", path
        assert response.json()["error"]["code"] == "not_found", path
        assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_the_scripts_put_api_data_in_as_text_never_as_markup() -> None:
    for path in sorted(WEB_DIR.glob("*.js")):
        source = path.read_text()
        for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert forbidden not in source, f"{path.name} uses {forbidden}"
        assert ".style." not in source and 'setAttribute("style"' not in source, f"{path.name} styles inline"
