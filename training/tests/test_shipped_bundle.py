import json
from pathlib import Path

import numpy as np

from training.bundle import BundleScorer, verify_hashes
from training.labels import LABELS

BUNDLE = Path(__file__).resolve().parents[2] / "models" / "incivility-minilm-l6"


def test_shipped_bundle_matches_its_manifest_and_reference_scores():
    verify_hashes(BUNDLE)
    scorer = BundleScorer(BUNDLE)
    manifest = scorer.manifest
    assert manifest["labels"] == list(LABELS)
    assert all(0.0 < manifest["thresholds"][label] < 1.0 for label in LABELS)
    texts = [json.loads(line) for line in (BUNDLE / "reference" / "texts.jsonl").read_text().splitlines()]
    reference = json.loads((BUNDLE / "reference" / "scores.json").read_text())
    assert len(texts) == 100
    assert [item["id"] for item in reference["items"]] == [row["id"] for row in texts]
    assert reference["model_version"] == manifest["model_version"]
    expected = np.array([[item["scores"][label] for label in LABELS] for item in reference["items"]])
    np.testing.assert_allclose(scorer.scores([row["text"] for row in texts], batch_size=8), expected, atol=1e-5, rtol=0)
    assert sum(len(item["labels"]) for item in reference["items"]) > 0
