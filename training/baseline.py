"""TF-IDF (word 1-2-grams + char 2-5-grams) + one logistic regression per label, thresholds tuned on validation.

python -m training.baseline --data <folder | hub id> [--out training/runs/baseline]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .data import load_data
from .labels import LABELS
from .metrics import report, tune_thresholds


def fit_predict(train, validation, test, c: float = 4.0, seed: int = 0):
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, lowercase=True)
    x_train = hstack([word.fit_transform(train.texts), char.fit_transform(train.texts)]).tocsr()

    def features(texts):
        return hstack([word.transform(texts), char.transform(texts)]).tocsr()

    x_val, x_test = features(validation.texts), features(test.texts)
    val_scores = np.zeros(validation.labels.shape)
    test_scores = np.zeros(test.labels.shape)
    for j in range(len(LABELS)):
        classifier = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, solver="liblinear", random_state=seed)
        classifier.fit(x_train, train.labels[:, j])
        val_scores[:, j] = classifier.predict_proba(x_val)[:, 1]
        test_scores[:, j] = classifier.predict_proba(x_test)[:, 1]
    return val_scores, test_scores


def run(data: str, c: float = 4.0) -> dict:
    splits = load_data(data)
    val_scores, test_scores = fit_predict(splits["train"], splits["validation"], splits["test"], c=c)
    thresholds = tune_thresholds(splits["validation"].labels, val_scores)
    return {
        "model": "tfidf-word1-2+char2-5-logreg",
        "C": c,
        "thresholds": dict(zip(LABELS, thresholds.tolist())),
        "validation": report(splits["validation"].labels, val_scores >= thresholds, list(LABELS)),
        "test": report(splits["test"].labels, test_scores >= thresholds, list(LABELS)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.baseline", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/data/incivility-silver")
    parser.add_argument("--out", type=Path, default=Path("training/runs/baseline"))
    parser.add_argument("--C", type=float, default=4.0)
    args = parser.parse_args(argv)
    result = run(args.data, args.C)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "metrics.json").write_text(json.dumps(result, indent=2) + "\n")
    test = result["test"]
    print(" ".join(f"{label}={m['f1']:.2f}" for label, m in test["per_label"].items()))
    print(f"test macro-F1 {test['macro_f1']:.4f} (>=25 support {test['macro_f1_support_ge_25']:.4f}) micro-F1 {test['micro_f1']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
