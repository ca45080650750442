#!/usr/bin/env bash
# Reproduce the shipped incivility model end to end:
#   baseline → fine-tune with the shipped hyperparameters → export fp32 + int8 → thresholds on validation →
#   test metrics → models/incivility-minilm-l6/ (bundle, metrics.json, reference scores, MODEL_CARD.md).
# Uses a CUDA GPU when torch sees one, else the CPU (slow: about an hour on 2 cores).
# Env: PYTHON (default: training/.venv, created from training/requirements.txt), DATA (local folder or hub id),
#      RUN (run folder, default training/runs/reproduce), BUNDLE (default models/incivility-minilm-l6),
#      ARTIFACTS (default training/artifacts), TRAIN_ARGS (extra train.py arguments, e.g. for a smoke run).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
DATA=${DATA:-../shared/data/incivility-silver}
RUN=${RUN:-training/runs/reproduce}
BUNDLE=${BUNDLE:-models/incivility-minilm-l6}
ARTIFACTS=${ARTIFACTS:-training/artifacts}
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
  --pos-weight-cap 10 --loss focal --focal-gamma 2 --seed 13 ${TRAIN_ARGS:-}
py training.finalize --checkpoint "$RUN/checkpoint" --train-metrics "$RUN/metrics.json" \
  --baseline-metrics "$RUN/baseline/metrics.json" --data "$DATA" --bundle "$BUNDLE" --artifacts "$ARTIFACTS"
if [ ! -f "$BUNDLE/reference/texts.jsonl" ]; then
  mkdir -p "$BUNDLE/reference" && cp models/incivility-minilm-l6/reference/texts.jsonl "$BUNDLE/reference/"
fi
py training.reference --bundle "$BUNDLE" --checkpoint "$RUN/checkpoint" --data "$DATA"
py training.card --bundle "$BUNDLE" --final "$ARTIFACTS/final.json"
echo "bundle: $BUNDLE (fp32 and int8 artifacts: $ARTIFACTS/fp32, $ARTIFACTS/int8); trained on: $(grep -o '"device": "[^"]*"' "$RUN/metrics.json" | head -1)"
