"""Evaluate a bundle through Python ONNX Runtime: thresholds from validation only, metrics on test.

python -m training.evaluate --bundle <dir> [--data <folder | hub id>] [--tune-thresholds --thresholds-version V]
                            [--out metrics.json]

With --tune-thresholds the per-label thresholds are re-chosen on the bundle's own validation scores (grid
0.05..0.95, best F1 per label) and written into its manifest; otherwise the manifest's thresholds are used.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .bundle import BundleScorer, read_manifest, write_manifest
from .metrics import THRESHOLD_GRID, bootstrap_f1, report, tune_thresholds


def set_thresholds(bundle: Path, thresholds: np.ndarray, version: str) -> None:
    manifest = read_manifest(bundle)
    manifest["thresholds"] = {label: float(t) for label, t in zip(manifest["labels"], thresholds)}
    manifest["thresholds_version"] = version
    write_manifest(bundle, manifest)


def evaluate_bundle(
    bundle: Path, splits: dict, *, tune: bool = False, thresholds_version: str | None = None, resamples: int = 1000
) -> dict:
    """Validation and test metrics of a bundle; returns them with the test scores (kept in memory only)."""
    scorer = BundleScorer(bundle)
    labels = scorer.manifest["labels"]
    val_scores = scorer.scores(splits["validation"].texts)
    if tune:
        thresholds = tune_thresholds(splits["validation"].labels, val_scores)
        set_thresholds(bundle, thresholds, thresholds_version or "validation-tuned")
    else:
        thresholds = scorer.thresholds()
    test_scores = scorer.scores(splits["test"].texts)
    test_pred = test_scores >= thresholds
    return {
        "bundle": str(bundle),
        "model_version": scorer.manifest["model_version"],
        "quantization": scorer.manifest["quantization"],
        "thresholds": dict(zip(labels, thresholds.tolist())),
        "thresholds_chosen_on": "validation" if tune else "manifest",
        "threshold_grid": THRESHOLD_GRID.tolist() if tune else None,
        "validation": report(splits["validation"].labels, val_scores >= thresholds, labels),
        "test": report(splits["test"].labels, test_pred, labels),
        "test_bootstrap": bootstrap_f1(splits["test"].labels, test_pred, resamples=resamples),
        "_test_scores": test_scores,
    }


def public(result: dict) -> dict:
    return {k: v for k, v in result.items() if not k.startswith("_")}


def format_table(result: dict) -> str:
    test, ci = result["test"], result["test_bootstrap"]["per_label_f1"]
    lines = [f"{'label':18s} {'P':>6s} {'R':>6s} {'F1':>6s}  {'95% CI':>13s} {'support':>7s}"]
    for (label, m), (low, high) in zip(test["per_label"].items(), ci):
        lines.append(f"{label:18s} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f}  [{low:.3f},{high:.3f}] {m['support']:7d}")
    lines.append(
        f"micro-F1 {test['micro_f1']:.4f}  macro-F1 {test['macro_f1']:.4f}  "
        f"macro-F1 (support>=25) {test['macro_f1_support_ge_25']:.4f}  exact match {test['exact_match']:.4f}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from .data import load_data

    parser = argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=Path("models/incivility-minilm-l6"))
    parser.add_argument("--data", default="../shared/data/incivility-silver")
    parser.add_argument("--tune-thresholds", action="store_true")
    parser.add_argument("--thresholds-version", default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    result = evaluate_bundle(
        args.bundle, load_data(args.data), tune=args.tune_thresholds, thresholds_version=args.thresholds_version
    )
    print(format_table(result))
    if args.out:
        args.out.write_text(json.dumps(public(result), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
