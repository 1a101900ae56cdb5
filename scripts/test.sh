#!/usr/bin/env bash
# The whole suite: static gates, then pytest (unit, API over ASGI, end-to-end against a real uvicorn).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/lint.sh
.venv/bin/pytest "$@"
