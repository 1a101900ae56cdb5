#!/usr/bin/env bash
# Serve the API on embedded defaults at http://127.0.0.1:8080 (override with HOST / PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
# --no-proxy-headers: uvicorn would otherwise believe X-Forwarded-For from loopback peers, so anyone on this
# machine could pick the address the per-IP limit counts; CF_TRUSTED_PROXY_HOPS decides whom to believe.
exec .venv/bin/uvicorn --factory app.main:create_app --host "${HOST:-127.0.0.1}" --port "${PORT:-8080}" \
  --no-proxy-headers --timeout-keep-alive 5 --timeout-graceful-shutdown "${CF_SHUTDOWN_GRACE_SECONDS:-7}"
