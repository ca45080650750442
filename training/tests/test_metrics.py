import numpy as np
import pytest

from training.metrics import bootstrap_f1, report, tune_thresholds

LABELS = ["a", "b"]


def test_report_uses_positive_class_micro_macro_and_exact_match():
    y_true = np.array([[1, 0], [1, 1], [0, 0], [0, 1]])
    y_pred = np.array([[1, 0], [0, 1], [1, 0], [0, 1]])
    result = report(y_true, y_pred, LABELS, min_support=2)
    a, b = result["per_label"]["a"], result["per_label"]["b"]
    assert (a["precision"], a["recall"], a["f1"], a["support"]) == (0.5, 0.5, 0.5, 2)
    assert (b["precision"], b["recall"], b["f1"], b["support"]) == (1.0, 1.0, 1.0, 2)
    assert result["micro_f1"] == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))
    assert result["macro_f1"] == pytest.approx(0.75)
    assert result["exact_match"] == pytest.approx(0.5)


def test_label_never_predicted_and_never_true_scores_zero():
    y = np.zeros((3, 2), dtype=int)
    y[:, 1] = 1
    result = report(y, y, LABELS, min_support=25)
    assert result["per_label"]["a"]["f1"] == 0.0
    assert result["per_label"]["b"]["f1"] == 1.0
    assert result["macro_f1_support_ge_25"] is None


def test_thresholds_maximise_each_labels_f1_ties_nearest_half():
    y = np.array([[1, 0], [1, 0], [0, 1], [0, 0]])
    scores = np.array([[0.9, 0.2], [0.8, 0.1], [0.6, 0.45], [0.1, 0.3]])
    thresholds = tune_thresholds(y, scores)
    # label a: any t in (0.6, 0.8] is perfect → 0.65 is the grid value nearest 0.5; label b: (0.3, 0.45] → 0.45
    assert thresholds.tolist() == [0.65, 0.45]
    assert report(y, scores >= thresholds, LABELS)["macro_f1"] == 1.0


def test_bootstrap_interval_contains_the_point_estimate():
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 2, (200, 2))
    y_pred = np.where(rng.random((200, 2)) < 0.8, y_true, 1 - y_true)
    point = report(y_true, y_pred, LABELS)["per_label"]["a"]["f1"]
    low, high = bootstrap_f1(y_true, y_pred, resamples=200)["per_label_f1"][0]
    assert low < point < high
