#!/usr/bin/env bash
# Serve the API on embedded defaults at http://127.0.0.1:8080 (override with HOST / PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/uvicorn --factory app.main:create_app --host "${HOST:-127.0.0.1}" --port "${PORT:-8080}"
