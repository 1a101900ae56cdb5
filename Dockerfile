# Content Factory on Cloud Run: the locked environment, the app, one uvicorn process per instance
# (Cloud Run scales instances; PORT is set by the platform).
FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /usr/local/bin/uv
WORKDIR /srv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

FROM python:3.11-slim
RUN useradd --system --uid 10001 app
WORKDIR /srv
COPY --from=build /srv/.venv /srv/.venv
COPY app ./app
ENV PATH=/srv/.venv/bin:$PATH PYTHONUNBUFFERED=1 CF_ENVIRONMENT=production CF_TRUSTED_PROXY_HOPS=1
USER app
EXPOSE 8080
CMD ["sh", "-c", "exec uvicorn --factory app.main:create_app --host 0.0.0.0 --port ${PORT:-8080} --no-proxy-headers --timeout-keep-alive 5 --timeout-graceful-shutdown ${CF_SHUTDOWN_GRACE_SECONDS:-7}"]
