"""Draws the benchmark plots as SVG from one run's raw JSON (matplotlib, no display needed)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams["svg.hashsalt"] = "modstream-bench"  # stable ids, so re-rendering gives the same file


def load(results: Path, name: str) -> dict | None:
    path = results / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def throughput_vs_batch(results: Path, raw: dict, e2e: dict | None, reference: dict | None) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, sorted_ in zip(axes, (False, True)):
        for threads in (1, 2):
            for sessions in (1, 2):
                points = sorted(
                    (p["batchSize"], p["textsPerSec"])
                    for p in raw["grid"]
                    if p["sorted"] == sorted_ and p["intraOpThreads"] == threads and p["sessions"] == sessions
                )
                if points:
                    xs, ys = zip(*points)
                    ax.plot(xs, ys, marker="o", label=f"{sessions} session(s) × {threads} thread(s)")
        if e2e:
            ax.axhline(e2e["miss"]["eventsPerSec"], color="black", linestyle="--", label="worker, cache miss")
        if reference:
            ax.axhline(reference["best"]["textsPerSec"], color="grey", linestyle=":", label="transformers pipeline")
        ax.set_xscale("log", base=2)
        ax.set_xticks([1, 2, 4, 8, 16, 32, 64], labels=["1", "2", "4", "8", "16", "32", "64"])
        ax.set_xlabel("batch size")
        ax.set_title("length-sorted batches" if sorted_ else "unsorted batches")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("texts / s")
    axes[1].legend(fontsize=8)
    fig.suptitle("Raw onnxruntime-node throughput vs batch size")
    fig.tight_layout()
    fig.savefig(results / "throughput-vs-batch-size.svg")
    plt.close(fig)


def latency_vs_load(results: Path, e2e: dict, bound_ms: float | None) -> None:
    loads = sorted(e2e["load"], key=lambda load: load["sentPerSec"])
    xs = [load["sentPerSec"] for load in loads]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for key, label in (("p50Ms", "p50"), ("p95Ms", "p95"), ("p99Ms", "p99")):
        ax.plot(xs, [load[key] for load in loads], marker="o", label=label)
    for x, load in zip(xs, loads):
        ax.annotate(f"{round(load['fraction'] * 100)} %", (x, load["p99Ms"]), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
    if bound_ms is not None:
        ax.axhline(bound_ms, color="black", linestyle="--", label=f"target at 50 % ({bound_ms:.0f} ms)")
    ax.axvline(e2e["miss"]["eventsPerSec"], color="grey", linestyle=":", label="max throughput (cache miss)")
    ax.set_xlabel("offered load (events / s)")
    ax.set_ylabel("end-to-end latency (ms)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Worker latency vs offered load (every text a cache miss)")
    fig.tight_layout()
    fig.savefig(results / "latency-vs-load.svg")
    plt.close(fig)


def main() -> None:
    results = Path(sys.argv[1])
    raw, e2e, reference = load(results, "raw-limit"), load(results, "e2e"), load(results, "reference-pipeline")
    if raw:
        throughput_vs_batch(results, raw, e2e, reference)
    if e2e and e2e.get("load"):
        summary = load(results, "summary") or {}
        bound = next(
            (float(t["target"].split()[1]) for t in summary.get("targets", []) if t["name"].startswith("p99 at 50")),
            None,
        )
        latency_vs_load(results, e2e, bound)
    print(f"plots written to {results}")


if __name__ == "__main__":
    main()
