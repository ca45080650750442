"""Load the labeled splits: a local folder of train/validation/test JSONL, or a Hugging Face hub dataset id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .labels import LABELS

SPLITS = ("train", "validation", "test")
HUB_DATASET = "civility-lab/incivility-arizona-daily-star-comments"


class DataFormatError(ValueError):
    """The data does not have the text column and the 10 binary label columns."""


@dataclass
class Split:
    texts: list[str]
    labels: np.ndarray  # [rows, 10] of 0/1, columns in LABELS order

    def __len__(self) -> int:
        return len(self.texts)


def to_split(rows: list[dict], where: str) -> Split:
    if not rows:
        raise DataFormatError(f"{where}: no rows")
    required = ("text",) + LABELS
    texts, labels = [], []
    for number, row in enumerate(rows, start=1):
        missing = [column for column in required if column not in row]
        if missing:
            raise DataFormatError(
                f"{where}: row {number} lacks column(s) {', '.join(missing)}; every row needs "
                f"'text' and the 10 labels {', '.join(LABELS)}"
            )
        if not isinstance(row["text"], str):
            raise DataFormatError(f"{where}: row {number}: 'text' must be a string")
        values = [row[label] for label in LABELS]
        bad = [label for label, value in zip(LABELS, values) if value not in (0, 1, True, False)]
        if bad:
            raise DataFormatError(f"{where}: row {number}: label(s) {', '.join(bad)} must be 0 or 1")
        texts.append(row["text"])
        labels.append([int(v) for v in values])
    return Split(texts, np.array(labels, dtype=np.int64))


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise DataFormatError(f"{path}:{number}: not JSON ({error.msg})") from error
    return rows


def load_local(folder: Path) -> dict[str, Split]:
    folder = Path(folder)
    missing = [f"{split}.jsonl" for split in SPLITS if not (folder / f"{split}.jsonl").is_file()]
    if missing:
        raise DataFormatError(f"{folder}: missing {', '.join(missing)} (need train/validation/test JSONL)")
    return {split: to_split(read_jsonl(folder / f"{split}.jsonl"), str(folder / f"{split}.jsonl")) for split in SPLITS}


def load_hub(dataset_id: str) -> dict[str, Split]:
    try:
        from datasets import load_dataset
    except ImportError as error:
        raise SystemExit(f"--data {dataset_id} needs the `datasets` package (pip install datasets)") from error
    dataset = load_dataset(dataset_id)
    missing = [split for split in SPLITS if split not in dataset]
    if missing:
        raise DataFormatError(f"{dataset_id}: no split(s) {', '.join(missing)}; has {', '.join(dataset)}")
    return {split: to_split(list(dataset[split]), f"{dataset_id}[{split}]") for split in SPLITS}


def load_data(source: str | Path) -> dict[str, Split]:
    """A local folder if `source` is a directory, else a hub dataset id."""
    if Path(source).is_dir():
        return load_local(Path(source))
    if "/" in str(source) and not str(source).startswith((".", "/")):
        return load_hub(str(source))
    raise DataFormatError(f"{source}: neither a folder of train/validation/test JSONL nor a hub dataset id")
