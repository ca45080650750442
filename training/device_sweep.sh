#!/usr/bin/env bash
# Runs on the lent GPU machine (see training/device.py): assemble the carried base, sweep, send the best back.
# Needs .device-data/ from `python -m training.device pack` and $OUT (the folder whose files come back).
set -euo pipefail
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
PY=${PYTHON:-python3}
: "${OUT:?set OUT}"
work=${WORK:-/tmp/modstream-sweep}
rm -rf "$work"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
$PY -c 'import torch, transformers, tokenizers; print("torch", torch.__version__, "transformers", transformers.__version__, "tokenizers", tokenizers.__version__, "cuda", torch.cuda.is_available())'
$PY -m training.device assemble --from .device-data --to "$work/base"
$PY -m training.sweep --data .device-data/data --base "$work/base" --out "$work/sweep" --budget-s "${BUDGET_S:-270}" ${SWEEP_ARGS:-} 2>&1 \
  | grep --line-buffered -v -E 'Loading weights|Writing model shards|MISSING|newly initialized|LOAD REPORT|^Key +\||^-+\+|^Notes:|^\s*$' \
  | tee "$OUT/log.txt"
$PY -m training.device extract --checkpoint "$work/sweep/best/checkpoint" --to "$OUT"
cp "$work/sweep/runs.jsonl" "$work/sweep/sweep.json" "$OUT/"
cp "$work/sweep/best/metrics.json" "$OUT/best-metrics.json"
ls -la "$OUT"
