#!/usr/bin/env bash
# Put the project's locked environment in .venv (installs uv first if the machine lacks it).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v uv >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
uv sync --frozen --quiet
