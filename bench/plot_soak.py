"""Draws a soak run (bench/soak.ts) as SVG: worker RSS, event-loop delay p99, consumer lag and p99 latency over time."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams["svg.hashsalt"] = "modstream-bench"  # stable ids, so re-rendering gives the same file

SERIES = (
    ("rssMiB", "RSS (MiB)", "rss"),
    ("eventLoopDelayP99Ms", "event-loop delay p99 (ms)", None),
    ("lag", "consumer lag (messages)", "lag"),
    ("p99Ms", "end-to-end p99 (ms)", "p99"),
)


def value(sample: dict, key: str) -> float:
    v = sample.get(key)
    return math.nan if v is None else float(v)


def main() -> None:
    results = Path(sys.argv[1])
    soak = json.loads((results / "soak.json").read_text(encoding="utf-8"))
    samples = soak.get("samples") or []
    if not samples:
        print(f"no samples in {results / 'soak.json'}: nothing to plot")
        return
    settings = soak["settings"]
    duration, window = settings["durationSeconds"] / 60, settings["windowSeconds"] / 60
    criteria = {c["name"]: c for c in soak.get("criteria", [])}
    xs = [s["t"] / 60 for s in samples]

    fig, axes = plt.subplots(len(SERIES), 1, figsize=(9, 10), sharex=True)
    for ax, (key, label, criterion) in zip(axes, SERIES):
        if key == "p99Ms":
            ack = [value(s, "ackP99Ms") for s in samples]
            ax.plot(xs, ack, color="grey", linestyle=":", linewidth=1, label="to the broker's ack")
        ax.plot(xs, [value(s, key) for s in samples], color="tab:blue", marker=".", linewidth=1)
        if key == "eventLoopDelayP99Ms":
            ax.plot(xs, [value(s, "eventLoopDelayMaxMs") for s in samples], color="tab:orange", linewidth=0.8, alpha=0.6, label="max")
            ax.legend(fontsize=8, loc="upper right")
        if min(xs) < 0:
            ax.axvspan(min(xs) - settings["sampleSeconds"] / 60, 0, color="grey", alpha=0.15, lw=0)
        ax.axvspan(0, window, color="tab:green", alpha=0.08, lw=0)
        ax.axvspan(duration - window, duration, color="tab:orange", alpha=0.08, lw=0)
        c = criteria.get(criterion) if criterion else None
        if c and criterion == "rss" and c.get("baselineMiB") is not None:
            base = c["baselineMiB"]
            ax.axhspan(base * 0.9, base * 1.1, color="tab:green", alpha=0.1, lw=0, label="first window ±10 %")
            ax.legend(fontsize=8, loc="lower right")
        if c and criterion == "lag" and c.get("bound") is not None:
            ax.hlines(c["bound"], duration / 2, duration, colors="black", linestyles="--", label="bound (last half)")
            ax.legend(fontsize=8, loc="upper right")
        if c and criterion == "p99" and c.get("limitMs") is not None:
            ax.axhline(c["limitMs"], color="black", linestyle="--", label="1.5 × first-window p99")
            ax.legend(fontsize=8, loc="upper right")
        if c:
            label += f"\n{'PASS' if c['pass'] else 'FAIL'}"
        ax.set_ylabel(label, fontsize=9)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("minutes since the warm-up (grey) ended; first (green) and last (orange) windows evaluated")
    run = soak.get("soak", {})
    verdict = {True: "PASS", False: "FAIL"}.get(soak.get("pass"), "no verdict")
    fig.suptitle(
        f"Soak: {run.get('offeredPerSec', '?')} events/s ({settings['loadFraction'] * 100:.0f} % of the miss rate), "
        f"{settings['repeatShare'] * 100:.0f} % repeats, {duration:g} min: {verdict}"
    )
    fig.tight_layout()
    fig.savefig(results / "soak.svg")
    plt.close(fig)
    print(f"plot written to {results / 'soak.svg'}")


if __name__ == "__main__":
    main()
