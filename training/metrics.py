"""Multi-label metrics shared by training, the baseline and evaluation (the TS `modstream eval` uses the same definitions).

Per label: precision / recall / F1 of the positive class (0 when undefined). micro-F1 pools every label decision;
macro-F1 is the mean of the per-label F1s; exact match = all 10 decisions of a row right.
"""

from __future__ import annotations

import numpy as np

THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.05), 2)
MIN_SUPPORT = 25


def counts(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y_true, y_pred = y_true.astype(bool), y_pred.astype(bool)
    tp = (y_true & y_pred).sum(axis=0)
    fp = (~y_true & y_pred).sum(axis=0)
    fn = (y_true & ~y_pred).sum(axis=0)
    return tp, fp, fn


def prf(tp, fp, fn):
    tp, fp, fn = (np.asarray(a, dtype=np.float64) for a in (tp, fp, fn))
    precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=(tp + fp) > 0)
    recall = np.divide(tp, tp + fn, out=np.zeros_like(tp), where=(tp + fn) > 0)
    f1 = np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros_like(tp), where=(2 * tp + fp + fn) > 0)
    return precision, recall, f1


def per_label_f1(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return prf(*counts(y_true, y_pred))[2]


def report(y_true: np.ndarray, y_pred: np.ndarray, labels: list[str], min_support: int = MIN_SUPPORT) -> dict:
    """Aggregate metrics of hard decisions; `frequent` = labels with at least `min_support` positives here."""
    tp, fp, fn = counts(y_true, y_pred)
    precision, recall, f1 = prf(tp, fp, fn)
    support = y_true.astype(bool).sum(axis=0)
    micro_f1 = float(prf(tp.sum(), fp.sum(), fn.sum())[2])
    frequent = [i for i in range(len(labels)) if support[i] >= min_support]
    return {
        "per_label": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
                "predicted": int(tp[i] + fp[i]),
            }
            for i, label in enumerate(labels)
        },
        "micro_f1": micro_f1,
        "macro_f1": float(f1.mean()),
        f"macro_f1_support_ge_{min_support}": float(f1[frequent].mean()) if frequent else None,
        f"labels_support_ge_{min_support}": [labels[i] for i in frequent],
        "exact_match": float(np.mean(np.all(y_true.astype(bool) == y_pred.astype(bool), axis=1))),
        "rows": int(len(y_true)),
    }


def tune_thresholds(y_true: np.ndarray, scores: np.ndarray, grid: np.ndarray = THRESHOLD_GRID) -> np.ndarray:
    """Per label, the grid threshold maximising that label's F1 (ties: the one nearest 0.5)."""
    best = np.full(y_true.shape[1], 0.5)
    for j in range(y_true.shape[1]):
        f1s = np.array([per_label_f1(y_true[:, [j]], scores[:, [j]] >= t)[0] for t in grid])
        candidates = np.flatnonzero(f1s == f1s.max())
        best[j] = grid[candidates[np.argmin(np.abs(grid[candidates] - 0.5))]]
    return best


def bootstrap_f1(
    y_true: np.ndarray, y_pred: np.ndarray, resamples: int = 1000, seed: int = 0, min_support: int = MIN_SUPPORT
) -> dict:
    """95% percentile intervals of per-label F1, macro-F1 (all and frequent labels) and micro-F1 over row resamples."""
    rng = np.random.default_rng(seed)
    n, k = y_true.shape
    frequent = y_true.astype(bool).sum(axis=0) >= min_support
    label_f1 = np.empty((resamples, k))
    micro = np.empty(resamples)
    for r in range(resamples):
        rows = rng.integers(0, n, n)
        tp, fp, fn = counts(y_true[rows], y_pred[rows])
        label_f1[r] = prf(tp, fp, fn)[2]
        micro[r] = prf(tp.sum(), fp.sum(), fn.sum())[2]

    def interval(values: np.ndarray) -> list[float]:
        return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]

    return {
        "resamples": resamples,
        "per_label_f1": [interval(label_f1[:, j]) for j in range(k)],
        "macro_f1": interval(label_f1.mean(axis=1)),
        f"macro_f1_support_ge_{min_support}": interval(label_f1[:, frequent].mean(axis=1)),
        "micro_f1": interval(micro),
    }
