#!/usr/bin/env bash
# The whole suite: static gates, then pytest (unit, API over ASGI, contract suites on redis-server and the
# Firestore and Cloud Tasks emulators, end-to-end against real uvicorn processes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services/install.sh
bash scripts/lint.sh
# Security lint: no medium or high severity finding in the service's code (justify exceptions with # nosec BXXX).
.venv/bin/bandit -q -r app --severity-level medium
.venv/bin/pytest "$@"
