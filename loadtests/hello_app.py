"""The baseline for read throughput: a bare FastAPI app with one route, served exactly like the service."""

from __future__ import annotations

from fastapi import FastAPI


def create_hello_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"status": "ok"}

    return app
