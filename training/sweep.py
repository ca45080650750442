"""Run a small hyperparameter sweep in one process and keep the run with the best validation macro-F1.

python -m training.sweep --data <folder | hub id> --out <dir> [--base <checkpoint folder>] [--budget-s 300]

Runs the grid in order (most promising first) and starts no new run once `--budget-s` has passed. Every epoch of
every run goes to <out>/runs.jsonl; <out>/sweep.json summarises the runs; the best run is saved like train.py.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from .train import (
    DEFAULT_DATA,
    TrainConfig,
    default_base_dir,
    device_description,
    jsonl_logger,
    pick_device,
    save_run,
    train_run,
)

BASE = TrainConfig(epochs=12, batch_size=32, max_length=128, pos_weight_cap=10.0, loss="bce", seed=13)
GRID = [
    replace(BASE, lr=5e-5),
    replace(BASE, lr=8e-5),
    replace(BASE, lr=3e-5),
    replace(BASE, lr=1.2e-4),
    replace(BASE, lr=8e-5, pos_weight_cap=4.0),
    replace(BASE, lr=8e-5, loss="focal"),
    replace(BASE, lr=5e-5, batch_size=16),
    replace(BASE, lr=5e-5, seed=7),
    replace(BASE, lr=8e-5, seed=7),
    replace(BASE, lr=8e-5, pos_weight_cap=25.0),
    replace(BASE, lr=5e-5, epochs=16),
]
# Second round, after the first showed focal loss and higher learning rates ahead on validation.
FOCAL = replace(BASE, loss="focal")
FOCAL_GRID = [
    replace(FOCAL, lr=1.2e-4),
    replace(FOCAL, lr=1.6e-4),
    replace(FOCAL, lr=1.2e-4, epochs=16),
    replace(FOCAL, lr=8e-5, epochs=16),
    replace(FOCAL, lr=1.2e-4, pos_weight_cap=25.0),
    replace(FOCAL, lr=1.2e-4, focal_gamma=1.0),
    replace(FOCAL, lr=8e-5, seed=7),
    replace(FOCAL, lr=1.2e-4, seed=7),
]
GRIDS = {"default": GRID, "focal": FOCAL_GRID}


def run_sweep(grid: list[TrainConfig], base: Path, splits: dict, device: str, out: Path, budget_s: float) -> tuple:
    started = time.time()
    log = jsonl_logger(out / "runs.jsonl")
    best, summaries = None, []
    for config in grid:
        if time.time() - started > budget_s:
            log({"skipped": config.label(), "reason": f"sweep budget of {budget_s:.0f}s spent"})
            continue
        result = train_run(config, base, splits, device, log=log)
        summaries.append(result.summary())
        log({"run": config.label(), "final": summaries[-1]})
        if best is None or result.best_val_macro_f1 > best.best_val_macro_f1:
            best = result
        else:
            result.best_state = None
    return best, summaries, time.time() - started


def main(argv: list[str] | None = None) -> int:
    from .data import load_data

    parser = argparse.ArgumentParser(prog="python -m training.sweep", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base", type=Path, default=None)
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--budget-s", type=float, default=300.0)
    parser.add_argument("--grid", choices=sorted(GRIDS), default="default")
    parser.add_argument("--limit-train", type=int, default=0, help="smoke tests only")
    parser.add_argument("--epochs", type=int, default=0, help="override every run's epochs (smoke tests only)")
    args = parser.parse_args(argv)

    splits = load_data(args.data)
    if args.limit_train:
        splits["train"].texts = splits["train"].texts[: args.limit_train]
        splits["train"].labels = splits["train"].labels[: args.limit_train]
    grid = GRIDS[args.grid]
    grid = [replace(c, epochs=args.epochs) for c in grid] if args.epochs else grid
    base = args.base or default_base_dir()
    device = pick_device(args.device)
    args.out.mkdir(parents=True, exist_ok=True)
    best, summaries, seconds = run_sweep(grid, base, splits, device, args.out, args.budget_s)
    save_run(best, base, splits, args.out / "best", device, extra={"sweep_seconds": round(seconds, 1)})
    sweep = {
        "device": device_description(device),
        "seconds": round(seconds, 1),
        "best": best.config.label(),
        "best_config": best.summary()["config"],
        "best_val_macro_f1": best.best_val_macro_f1,
        "best_epoch": best.best_epoch,
        "runs": summaries,
    }
    (args.out / "sweep.json").write_text(json.dumps(sweep, indent=2) + "\n")
    for summary in summaries:
        print(f"{summary['name']:40s} best epoch {summary['best_epoch']:2d} val macro-F1 {summary['best_val_macro_f1']:.4f} ({summary['seconds']}s)")
    print(f"best: {sweep['best']} val macro-F1 {sweep['best_val_macro_f1']:.4f}; {seconds:.0f}s on {sweep['device']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
