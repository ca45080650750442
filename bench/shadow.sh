#!/usr/bin/env bash
# Main-path throughput with no shadow, a 10 % and a 100 % shadow model (bench/shadow.ts), after the README's setup.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export BENCH_RESULTS_DIR="${BENCH_RESULTS_DIR:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-shadow}"
mkdir -p "$BENCH_RESULTS_DIR"
exec > >(tee "$BENCH_RESULTS_DIR/run.log") 2>&1
bash scripts/stack.sh status >/dev/null || bash scripts/stack.sh up >/dev/null
pnpm -s build
node --conditions=@modstream/source --import tsx bench/shadow.ts
