#!/usr/bin/env bash
# Reproduce the shipped incivility model end to end:
#   baseline → fine-tune with the shipped hyperparameters → export fp32 + int8 → thresholds on validation →
#   test metrics → models/incivility-minilm-l6/ (bundle, metrics.json, reference scores, MODEL_CARD.md).
# Uses a CUDA GPU when torch sees one, else the CPU (slow: about an hour on 2 cores).
# Env: PYTHON (default: training/.venv, created from training/requirements.txt), DATA (local folder or hub id),
#      RUN (run folder, default training/runs/reproduce).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
DATA=${DATA:-../shared/data/incivility-silver}
RUN=${RUN:-training/runs/reproduce}
if [ -z "${PYTHON:-}" ]; then
  if [ ! -x training/.venv/bin/python ]; then
    python3 -m venv training/.venv
    training/.venv/bin/pip install -q -r training/requirements.txt
  fi
  PYTHON=training/.venv/bin/python
fi
py() { nice -n 10 "$PYTHON" -m "$@"; }

# the shipped hyperparameters (the best validation run of the sweep in training/RUNS.md)
py training.baseline --data "$DATA" --out "$RUN/baseline"
py training.train --data "$DATA" --out "$RUN" --log "$RUN/runs.jsonl" \
  --lr 1.2e-4 --epochs 16 --batch-size 32 --max-length 128 --warmup-ratio 0.1 --weight-decay 0.01 \
  --pos-weight-cap 10 --loss focal --focal-gamma 2 --seed 13
py training.finalize --checkpoint "$RUN/checkpoint" --train-metrics "$RUN/metrics.json" \
  --baseline-metrics "$RUN/baseline/metrics.json" --data "$DATA"
py training.reference --checkpoint "$RUN/checkpoint" --data "$DATA"
py training.card
echo "bundle: models/incivility-minilm-l6 (fp32 artifact: training/artifacts/fp32); device: $(jq -r .device "$RUN/metrics.json" 2>/dev/null || true)"
