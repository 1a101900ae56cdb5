#!/usr/bin/env bash
# Benchmarks: the offline engine, a whole job in process, and read throughput against a bare FastAPI route.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq wrk >/dev/null) || echo "wrk could not be installed; the throughput part will be skipped"
fi
.venv/bin/python -m scripts.bench "$@"
