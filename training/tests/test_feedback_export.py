"""The feedback export's rows (`pnpm modstream feedback export`) train as they are, merged with silver rows.

fixtures/feedback-export.jsonl is what the exporter writes (packages/review/src/feedback-line.test.ts checks
that it equals `feedbackLine`'s output), so a format change on either side fails a test.
"""

import json
import subprocess
import sys
from pathlib import Path

from training.data import load_data
from training.labels import LABELS

from .tiny_checkpoints import build, wordpiece_tokenizer

FIXTURE = Path(__file__).parent / "fixtures" / "feedback-export.jsonl"
REPO = Path(__file__).resolve().parents[2]

# Rows of the silver set (../shared/data/incivility-silver), read at run time: its data stays out of the project.
SILVER_TRAIN = REPO.parent / "shared" / "data" / "incivility-silver" / "train.jsonl"
SILVER_ROWS = 6


def silver_lines() -> str:
    assert SILVER_TRAIN.exists(), f"{SILVER_TRAIN} is missing (the silver data lives beside the repository)"
    with SILVER_TRAIN.open(encoding="utf-8") as lines:
        return "".join(line for _, line in zip(range(SILVER_ROWS), lines))


def tiny_base(folder: Path) -> Path:
    """A tiny BERT classifier with the tokenizer files training copies into its checkpoint."""
    build("bert", folder)
    tokenizer = wordpiece_tokenizer()
    vocab = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    (folder / "vocab.txt").write_text("".join(token + "\n" for token, _ in vocab))
    (folder / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True, "model_max_length": 64}))
    (folder / "special_tokens_map.json").write_text(
        json.dumps({"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]"})
    )
    return folder


def test_fixture_rows_have_the_training_columns():
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 3
    for row in rows:
        assert list(row) == ["id", "source", "text", *LABELS]
        assert row["source"] == "moderation"
        assert all(row[label] in (0, 1) for label in LABELS)


def test_exported_rows_merged_with_silver_train_without_conversion(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    feedback = FIXTURE.read_text(encoding="utf-8")
    # The documented merge: the export appended to the silver training split, byte for byte.
    (data / "train.jsonl").write_text(silver_lines() + feedback, encoding="utf-8")
    (data / "validation.jsonl").write_text(silver_lines(), encoding="utf-8")
    (data / "test.jsonl").write_text(silver_lines(), encoding="utf-8")

    splits = load_data(data)
    feedback_rows = [json.loads(line) for line in feedback.splitlines()]
    assert len(splits["train"]) == SILVER_ROWS + len(feedback_rows)
    for offset, row in enumerate(feedback_rows, start=SILVER_ROWS):
        assert splits["train"].texts[offset] == row["text"]
        assert splits["train"].labels[offset].tolist() == [row[label] for label in LABELS]

    base = tiny_base(tmp_path / "base")
    out = tmp_path / "run"
    completed = subprocess.run(
        [
            sys.executable, "-m", "training.train",
            "--data", str(data), "--out", str(out), "--base", str(base), "--device", "cpu",
            "--epochs", "1", "--batch-size", "4", "--max-length", "32", "--log", str(tmp_path / "runs.jsonl"),
        ],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "best epoch 1" in completed.stdout
    assert (out / "checkpoint" / "config.json").is_file()
    metrics = json.loads((out / "metrics.json").read_text())
    assert list(metrics["validation"]["per_label"]) == list(LABELS)
    assert metrics["validation"]["rows"] == SILVER_ROWS
    thresholds = json.loads((out / "thresholds.json").read_text())["thresholds"]
    assert list(thresholds) == list(LABELS)
