import json

import pytest

from training.data import DataFormatError, load_data
from training.labels import LABELS


def write_split(folder, name, rows):
    (folder / f"{name}.jsonl").write_text("\n".join(json.dumps(row) for row in rows) + "\n")


def row(text="a comment", **overrides):
    return {"id": "x", "text": text, **{label: 0 for label in LABELS}, **overrides}


def test_local_folder_loads_labels_in_order(tmp_path):
    for name in ("train", "validation", "test"):
        write_split(tmp_path, name, [row(sarcasm=1), row("second", aspersion=1, vulgarity=1)])
    splits = load_data(tmp_path)
    assert splits["train"].texts == ["a comment", "second"]
    assert splits["test"].labels[0].tolist() == [1 if label == "sarcasm" else 0 for label in LABELS]
    assert splits["test"].labels[1, LABELS.index("aspersion")] == 1


def test_missing_label_column_is_named(tmp_path):
    bad = row()
    del bad["pejorative"]
    write_split(tmp_path, "train", [row(), bad])
    write_split(tmp_path, "validation", [row()])
    write_split(tmp_path, "test", [row()])
    with pytest.raises(DataFormatError, match=r"train\.jsonl: row 2 lacks column\(s\) pejorative"):
        load_data(tmp_path)


def test_non_binary_label_and_missing_split_are_rejected(tmp_path):
    write_split(tmp_path, "train", [row(lying=2)])
    write_split(tmp_path, "validation", [row()])
    with pytest.raises(DataFormatError, match="missing test.jsonl"):
        load_data(tmp_path)
    write_split(tmp_path, "test", [row()])
    with pytest.raises(DataFormatError, match="lying must be 0 or 1"):
        load_data(tmp_path)
