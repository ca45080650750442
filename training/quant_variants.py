"""Dynamic int8 variants of the fp32 bundle against it, at the fp32 bundle's thresholds.

python -m training.quant_variants [--fp32 training/artifacts/fp32] [--data ../shared/data/incivility-silver]
                                  [--out training/runs/quant-variants] [variant ...]

Variants: all (what `export --quantize int8` does: MatMul and the embedding Gather), matmul (MatMul only),
ffn (the feed-forward MatMuls only), not-last (MatMul except layer 5, the pooler and the head). Prints, per
variant, the share of label decisions equal to fp32's and the worst per-label F1 loss on validation and test.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np

from .bundle import MANIFEST_FILE, MODEL_FILE, TOKENIZER_FILE, BundleScorer, file_hashes, read_manifest, write_manifest
from .data import load_data
from .metrics import report


def quantize_options(name: str, matmuls: list[str]) -> dict:
    feed_forward = [m for m in matmuls if "/intermediate/" in m or ("/output/" in m and "/attention/" not in m)]
    excluded = {
        "all": None,
        "matmul": [],
        "ffn": [m for m in matmuls if m not in feed_forward],
        "not-last": [m for m in matmuls if "layer.5/" in m or "pooler" in m or "classifier" in m],
    }[name]
    if excluded is None:
        return {}
    return {"op_types_to_quantize": ["MatMul"], "nodes_to_exclude": excluded}


def build_variant(fp32: Path, out: Path, name: str) -> Path:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    matmuls = [n.name for n in onnx.load(str(fp32 / MODEL_FILE)).graph.node if n.op_type == "MatMul"]
    folder = out / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(fp32 / TOKENIZER_FILE, folder / TOKENIZER_FILE)
    quantize_dynamic(str(fp32 / MODEL_FILE), str(folder / MODEL_FILE), weight_type=QuantType.QInt8,
                     per_channel=True, **quantize_options(name, matmuls))
    manifest = read_manifest(fp32) | {"quantization": f"int8-dynamic-{name}"}
    manifest["files"] = file_hashes(folder)
    (folder / MANIFEST_FILE).write_text("{}")
    write_manifest(folder, manifest)
    return folder


def per_label_f1(y: np.ndarray, scores: np.ndarray, thresholds: np.ndarray, labels: list[str]) -> np.ndarray:
    result = report(y, scores >= thresholds, labels)
    return np.array([result["per_label"][label]["f1"] for label in labels])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.quant_variants", description=__doc__.split("\n\n")[0])
    parser.add_argument("--fp32", type=Path, default=Path("training/artifacts/fp32"))
    parser.add_argument("--data", default="../shared/data/incivility-silver")
    parser.add_argument("--out", type=Path, default=Path("training/runs/quant-variants"))
    parser.add_argument("variants", nargs="*", default=["all", "matmul", "ffn", "not-last"])
    args = parser.parse_args(argv)

    splits = load_data(args.data)
    reference = BundleScorer(args.fp32)
    labels, thresholds = reference.manifest["labels"], reference.thresholds()
    base = {split: reference.scores(splits[split].texts) for split in ("validation", "test")}
    rows = []
    for name in args.variants:
        scorer = BundleScorer(build_variant(args.fp32, args.out, name))
        row = {"variant": name, "mb": round((scorer.bundle_dir / MODEL_FILE).stat().st_size / 1e6, 1)}
        for split in ("validation", "test"):
            scores = scorer.scores(splits[split].texts)
            y = splits[split].labels
            loss = per_label_f1(y, base[split], thresholds, labels) - per_label_f1(y, scores, thresholds, labels)
            row[split] = {
                "agreement": round(float(((scores >= thresholds) == (base[split] >= thresholds)).mean()), 4),
                "max_abs_score_diff": round(float(np.abs(scores - base[split]).max()), 4),
                "worst_f1_loss_points": round(float(loss.max()) * 100, 2),
                "worst_label": labels[int(np.argmax(loss))],
            }
        print(json.dumps(row))
        rows.append(row)
    (args.out / "results.json").write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
