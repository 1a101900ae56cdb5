#!/usr/bin/env bash
# make audit: pip-audit --strict over the locked requirements (uv.lock, every dependency group, hashes checked).
# An audit that could not look a package up is a failure, never a pass: the script first checks that the
# vulnerability service answers, and --strict fails on any package it could not audit. Exit 0 only when every
# locked package was looked up and none has a known vulnerability.
#   CF_AUDIT_SERVICE=pypi|osv   pip-audit's vulnerability service (default: pypi)
set -euo pipefail
cd "$(dirname "$0")/.."
SERVICE="${CF_AUDIT_SERVICE:-pypi}"
REQUIREMENTS=$(mktemp)
OUTPUT=$(mktemp)
trap 'rm -f "$REQUIREMENTS" "$OUTPUT"' EXIT

fail() {
  {
    echo
    echo "=================================================================="
    echo "  DEPENDENCY AUDIT FAILED: $1"
    echo "=================================================================="
  } >&2
  exit 1
}

command -v uv >/dev/null 2>&1 || fail "uv is not installed (run make install)"
uv export --frozen --quiet --all-groups --no-emit-project --format requirements-txt -o "$REQUIREMENTS"
packages=$(grep -c '^[A-Za-z0-9]' "$REQUIREMENTS")

# 1. Does the vulnerability service answer? Without it pip-audit would audit nothing.
if ! .venv/bin/python - "$SERVICE" <<'PY'
import json
import sys
import urllib.request

service = sys.argv[1]
if service == "pypi":
    request = urllib.request.Request("https://pypi.org/pypi/jinja2/2.4.1/json")
    expected = "vulnerabilities"
elif service == "osv":
    query = {"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "2.4.1"}
    request = urllib.request.Request(
        "https://api.osv.dev/v1/query", data=json.dumps(query).encode(), headers={"Content-Type": "application/json"}
    )
    expected = "vulns"
else:
    sys.exit(f"unknown CF_AUDIT_SERVICE {service!r}: use pypi or osv")
try:
    with urllib.request.urlopen(request, timeout=20) as response:  # a release with known advisories
        answer = json.load(response)
except Exception as exc:
    sys.exit(f"{service}: {type(exc).__name__}: {exc}")
if not answer.get(expected):
    sys.exit(f"{service}: answered without vulnerability data for a release that has advisories")
PY
then
  fail "the vulnerability service ($SERVICE) cannot be reached or gave no data; NOTHING WAS AUDITED"
fi

# 2. The audit. --strict: a package that could not be looked up fails the run.
if ! .venv/bin/pip-audit --strict --disable-pip --require-hashes --progress-spinner off \
    --vulnerability-service "$SERVICE" -r "$REQUIREMENTS" >"$OUTPUT" 2>&1; then
  cat "$OUTPUT" >&2
  if grep -qiE "could not be audited|connection|timed out|HTTPError" "$OUTPUT"; then
    fail "pip-audit could not look every package up on $SERVICE; the audit is incomplete"
  fi
  fail "pip-audit found known vulnerabilities (listed above)"
fi
cat "$OUTPUT"
echo "Dependency audit passed: $packages locked packages looked up on $SERVICE, no known vulnerabilities."
