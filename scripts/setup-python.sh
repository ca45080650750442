#!/usr/bin/env bash
# The Python toolchain (idempotent): the venv .venv from training/requirements-ci.txt (torch, transformers,
# onnx, pytest), used by the Python tests, the tokenizer-parity test and the benchmarks. The worker and
# scripts/demo.sh never need it; scripts/test.sh and bench/*.sh run this themselves.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REQUIREMENTS=training/requirements-ci.txt

log() { printf '[setup-python] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

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
  log "installing Python requirements from $REQUIREMENTS (torch: several GB, several minutes the first time)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$REQUIREMENTS"
  printf '%s\n' "$wanted" >"$stamp"
else
  log ".venv is up to date with $REQUIREMENTS"
fi
