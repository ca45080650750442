#!/usr/bin/env bash
# The project's test command (README, CI): setup (worker and Python toolchain) → stack up → build → checks →
# all tests.
# Stops the stack on exit if this script started it; a stack that was already running is left alone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '\n[test] === %s\n' "$*"; }

bash scripts/setup.sh
bash scripts/setup-python.sh
# Debian's chromium for the browser end-to-end tests (test/review-app.test.ts).
bash scripts/setup-browser.sh

if bash scripts/stack.sh status >/dev/null 2>&1; then
  log "stack already running; leaving it up afterwards"
else
  trap 'log "stopping the stack"; bash scripts/stack.sh down' EXIT
fi
log "stack up"
bash scripts/stack.sh up

log "build"
pnpm build

failed=()
step() {
  local name="$1"
  shift
  log "$name"
  if "$@"; then
    printf '[test] %s: ok\n' "$name"
  else
    printf '[test] %s: FAILED\n' "$name"
    failed+=("$name")
  fi
}

test_files() {
  find "$@" -type f -name '*.test.ts' -not -path '*/node_modules/*' -not -path '*/dist/*' 2>/dev/null | sort
}

node_tests() {
  local concurrency="$1"
  shift
  [ "$#" -gt 0 ] || return 0
  local files
  mapfile -t files < <(test_files "$@")
  if [ "${#files[@]}" -eq 0 ]; then
    printf '[test] no test files under %s\n' "$*"
    return 0
  fi
  node --conditions=@modstream/source --import tsx --test --test-concurrency="$concurrency" "${files[@]}"
}

unit_dirs=()
for dir in packages/*/src services/*/src; do [ -d "$dir" ] && unit_dirs+=("$dir"); done

step typecheck pnpm typecheck
step lint pnpm lint
step format:check pnpm format:check
# Dockerfile lint, COPY sources, the pnpm deploy layout, Helm lint/render and offline schema validation.
step "deploy check" bash scripts/deploy-check.sh
step "unit tests" node_tests 2 "${unit_dirs[@]}"
# Integration tests share one broker and Redis: one file at a time.
step "integration tests" node_tests 1 test

if [ -d training/tests ]; then
  step "python tests" .venv/bin/python -m pytest -q training/tests
fi

if [ "${#failed[@]}" -gt 0 ]; then
  printf '\n[test] FAILED: %s\n' "${failed[*]}"
  exit 1
fi
printf '\n[test] all checks and tests passed\n'
