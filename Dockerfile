# Content Factory on Cloud Run: the locked environment without its development tools, the app, one uvicorn
# process per instance (Cloud Run scales instances; PORT is set by the platform).
#
# Images are pinned to exact tags. Their sha256 digests are not written here because they were not checked
# against the registries; an operator who has pulled them can pin each as NAME:TAG@sha256:DIGEST.
# uv is the version cloudbuild.yaml tests with; python is the 3.11 the suite targets (mypy, ruff).

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM python:3.11.14-slim-bookworm AS build
COPY --from=uv /uv /usr/local/bin/uv
WORKDIR /srv
# The interpreter of the base image, never a downloaded one; no cache left in the layer.
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_NO_CACHE=1 UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/srv/.venv
# The runtime dependencies only (no dependency groups). The workspace member sdk/ is a development dependency,
# so a frozen sync without it needs neither its sources nor its pyproject.toml; the app is copied, not installed.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

FROM python:3.11.14-slim-bookworm
# Podcast audio: ffmpeg (with libmp3lame) encodes the MP3 for either speech engine, espeak-ng is the offline one
# (CF_SPEECH=espeak, the default). Debian's versions are not pinned: the bookworm archive keeps only the current
# security release of each, so a pin would stop the build at the next update instead of taking the fix.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng ffmpeg \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid 10001 --home-dir /srv --no-create-home --shell /usr/sbin/nologin app
WORKDIR /srv
COPY --from=build /srv/.venv /srv/.venv
COPY app ./app
# The app's bytecode compiled now, not at each cold start (the environment's already is: UV_COMPILE_BYTECODE);
# and the embedded store's default folder (./data), writable by the app for a single-instance run.
RUN python -m compileall -q /srv/app \
    && mkdir -p /srv/data \
    && chown 10001:10001 /srv/data
ENV PATH=/srv/.venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    CF_ENVIRONMENT=production CF_TRUSTED_PROXY_HOPS=1
USER 10001:10001
EXPOSE 8080
# Cloud Run ignores HEALTHCHECK (it probes the port, and the service's startup and liveness probes); this one is
# for docker and compose runs of the same image. Standard library only: the image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8080') + '/healthz', timeout=4)"]
# exec: uvicorn replaces the shell as PID 1, so Cloud Run's SIGTERM reaches it and its graceful shutdown runs.
CMD ["sh", "-c", "exec uvicorn --factory app.main:create_app --host 0.0.0.0 --port ${PORT:-8080} --no-proxy-headers --timeout-keep-alive 5 --timeout-graceful-shutdown ${CF_SHUTDOWN_GRACE_SECONDS:-7}"]
