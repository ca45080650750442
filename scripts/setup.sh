#!/usr/bin/env bash
# Fresh-machine bootstrap (idempotent): pnpm, node dependencies, redis-server, Kafka jars and,
# when training/requirements-ci.txt exists, the Python venv .venv used by tests.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PNPM_VERSION=10.34.9

log() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v pnpm >/dev/null; then
  # corepack's signature check fails on these machines, so pnpm comes from npm.
  log "installing pnpm $PNPM_VERSION with npm"
  as_root npm install -g "pnpm@$PNPM_VERSION"
fi
log "pnpm $(pnpm --version)"

log "installing node dependencies (frozen lockfile)"
export ONNXRUNTIME_NODE_INSTALL=skip
if command -v flock >/dev/null; then
  flock /tmp/pnpm.lock pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --frozen-lockfile --reporter=append-only
fi

log "installing redis-server and Kafka jars (if missing)"
bash scripts/stack.sh install

REQUIREMENTS=training/requirements-ci.txt
if [ -f "$REQUIREMENTS" ]; then
  if [ ! -x .venv/bin/python ]; then
    python3 -c 'import ensurepip, venv' 2>/dev/null || {
      as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    }
    log "creating .venv"
    python3 -m venv .venv
  fi
  stamp=.venv/.requirements-ci.sha256
  wanted="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted" ]; then
    log "installing Python requirements from $REQUIREMENTS"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r "$REQUIREMENTS"
    printf '%s\n' "$wanted" >"$stamp"
  else
    log ".venv is up to date with $REQUIREMENTS"
  fi
else
  log "no $REQUIREMENTS, skipping the Python venv"
fi

log "done"
