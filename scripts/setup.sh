#!/usr/bin/env bash
# Fresh-machine bootstrap (idempotent) for what the worker and scripts/demo.sh need: pnpm, node
# dependencies, redis-server and the Kafka jars. No Python: the test and bench commands add the .venv
# themselves (scripts/setup-python.sh).
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

log "done"
