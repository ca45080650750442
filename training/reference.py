"""Record the shipped bundle's Python ONNX Runtime scores on the project's own reference texts.

python -m training.reference [--bundle models/incivility-minilm-l6] [--checkpoint <fp32 HF checkpoint>]
                             [--data ../shared/data/incivility-silver]

Writes <bundle>/reference/scores.json: for each text of reference/texts.jsonl its 10 logits and sigmoid scores
(float64, full precision) and the labels over the thresholds. The TypeScript classifier must reproduce the
scores within 1e-4. With --checkpoint, also records how the bundle agrees with the PyTorch fp32 model it came
from, on the reference texts (in scores.json) and on the silver test split (printed; finalize stores it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .bundle import BundleScorer, read_manifest
from .finalize import agreement, pytorch_scores


def read_texts(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.reference", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=Path("models/incivility-minilm-l6"))
    parser.add_argument("--checkpoint", type=Path, default=None)
    parser.add_argument("--data", default="../shared/data/incivility-silver")
    args = parser.parse_args(argv)

    scorer = BundleScorer(args.bundle)
    labels = scorer.manifest["labels"]
    rows = read_texts(args.bundle / "reference" / "texts.jsonl")
    texts = [row["text"] for row in rows]
    # one text per run, so no padding is involved: the TS side must match with and without batching
    logits = np.concatenate([scorer.logits([text]) for text in texts]).astype(np.float64)
    batched = scorer.logits(texts, batch_size=16).astype(np.float64)
    scores = 1.0 / (1.0 + np.exp(-logits))
    thresholds = scorer.thresholds()
    result = {
        "model_version": scorer.manifest["model_version"],
        "thresholds_version": scorer.manifest["thresholds_version"],
        "model_sha256": scorer.manifest["files"]["model.onnx"]["sha256"],
        "computed_with": "python onnxruntime, CPUExecutionProvider, one text per run",
        "max_abs_logit_diff_batched_16_vs_single": float(np.max(np.abs(batched - logits))),
        "labels": labels,
        "items": [
            {
                "id": row["id"],
                "tokens": len(scorer.tokenizer.encode(row["text"]).ids),
                "logits": dict(zip(labels, logit.tolist())),
                "scores": dict(zip(labels, score.tolist())),
                "labels": [label for label, s, t in zip(labels, score, thresholds) if s >= t],
            }
            for row, logit, score in zip(rows, logits, scores)
        ],
    }
    if args.checkpoint:
        reference = pytorch_scores(args.checkpoint, scorer, texts, batch_size=1)
        result["agreement_with_pytorch_fp32"] = agreement(reference, scores, thresholds)
        from .data import load_data

        test = load_data(args.data)["test"]
        test_agreement = agreement(pytorch_scores(args.checkpoint, scorer, test.texts), scorer.scores(test.texts), thresholds)
        print("silver test agreement with PyTorch fp32:", json.dumps(test_agreement))
    (args.bundle / "reference" / "scores.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    counts = {label: sum(label in item["labels"] for item in result["items"]) for label in labels}
    print(f"scored {len(rows)} reference texts with {read_manifest(args.bundle)['model_version']}; labels over threshold: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
