#!/usr/bin/env bash
# Serve the API on embedded defaults at http://127.0.0.1:8080 (override with HOST / PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8080}"
cat <<NOTE
Content Factory on http://$HOST:$PORT/  (API docs: http://$HOST:$PORT/docs)
  The first start prints an admin key once. Lost it? Make another:
    .venv/bin/python -m app keys create --owner me --name laptop --scope admin --scope jobs:read --scope jobs:write
NOTE
# --no-proxy-headers: uvicorn would otherwise believe X-Forwarded-For from loopback peers, so anyone on this
# machine could pick the address the per-IP limit counts; CF_TRUSTED_PROXY_HOPS decides whom to believe.
exec .venv/bin/uvicorn --factory app.main:create_app --host "$HOST" --port "$PORT" \
  --no-proxy-headers --timeout-keep-alive 5 --timeout-graceful-shutdown "${CF_SHUTDOWN_GRACE_SECONDS:-7}"
