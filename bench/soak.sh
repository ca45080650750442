#!/usr/bin/env bash
# Soak run (issue #10 item 5; not part of CI): the worker as shipped at half its miss throughput with 20 %
# repeated texts for SOAK_MINUTES (default 30), sampled every 10 s; see bench/soak.ts for every setting.
# Results (soak.json, samples.jsonl, run.log, soak.svg) go to bench/results/<UTC timestamp>-soak/.
# Exit code: 0 every criterion met, 1 one was not, 2 the run failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[soak] %s\n' "$*"; }

export BENCH_RESULTS_DIR="${BENCH_RESULTS_DIR:-$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-soak}"
mkdir -p "$BENCH_RESULTS_DIR"
exec > >(tee "$BENCH_RESULTS_DIR/run.log") 2>&1
log "results in ${BENCH_RESULTS_DIR#"$ROOT"/}"

SILVER="${BENCH_SILVER_DIR:-$ROOT/../shared/data/incivility-silver}"
[ -f "$SILVER/test.jsonl" ] || { log "no $SILVER/test.jsonl (the silver data lives beside the repo)"; exit 2; }
bash scripts/setup.sh
[ -n "${BENCH_PYTHON:-}" ] || bash scripts/setup-python.sh
PYTHON="${BENCH_PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PYTHON" ] || { log "no $PYTHON (BENCH_PYTHON)"; exit 2; }
if ! "$PYTHON" -c 'import matplotlib' 2>/dev/null; then
  log "installing bench/requirements.txt into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
  "$PYTHON" -m pip install -q -r bench/requirements.txt
fi

log "local stack (Kafka 127.0.0.1:19092, Redis 127.0.0.1:16379)"
bash scripts/stack.sh status >/dev/null || bash scripts/stack.sh up >/dev/null
log "building (the worker runs from dist, as in the container image)"
pnpm -s build

rc=0
node --conditions=@modstream/source --import tsx bench/soak.ts || rc=$?
if [ -f "$BENCH_RESULTS_DIR/soak.json" ]; then
  "$PYTHON" bench/plot_soak.py "$BENCH_RESULTS_DIR" || log "plot failed"
fi
log "done (exit $rc): ${BENCH_RESULTS_DIR#"$ROOT"/}"
exit "$rc"
