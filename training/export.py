"""Turn a Hugging Face sequence-classification checkpoint folder into a modstream ONNX bundle.

python -m training.export --checkpoint <folder> --out <bundle dir> [--quantize int8|none] [--max-length N]
                          [--thresholds file.json] [--model-id ID] [--model-version V] [--thresholds-version V]
                          [--metrics file.json]
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np

from .bundle import (
    BUNDLE_FORMAT,
    MODEL_FILE,
    TOKENIZER_FILE,
    BundleScorer,
    file_hashes,
    write_manifest,
)
from .labels import LABELS

OPSET = 17
DEFAULT_MAX_LENGTH = 128
CHECK_TEXTS = (
    "Thanks for the thoughtful reply, I learned something.",
    "You are a complete idiot and everyone knows it!!!",
    "ok",
    "Oh sure, because that worked SO well last time 🙄 — café au lait, naïve résumé.",
)


def load_checkpoint(checkpoint: Path):
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(
        str(checkpoint), attn_implementation="eager", dtype=torch.float32
    )
    return model.eval()


def model_inputs(model) -> list[str]:
    """input_ids and attention_mask, plus token_type_ids where the architecture has more than one token type."""
    accepts_types = "token_type_ids" in inspect.signature(model.forward).parameters
    if accepts_types and getattr(model.config, "type_vocab_size", 0) > 1:
        return ["input_ids", "attention_mask", "token_type_ids"]
    return ["input_ids", "attention_mask"]


def model_labels(config) -> list[str]:
    names = [config.id2label[i] for i in range(config.num_labels)]
    generic = all(name == f"LABEL_{i}" for i, name in enumerate(names))
    if generic:
        if config.num_labels != len(LABELS):
            raise ValueError(f"checkpoint has {config.num_labels} unnamed labels; expected {len(LABELS)}")
        return list(LABELS)
    return names


def max_position_limit(model, tokenizer_max: int | None) -> int:
    limit = getattr(model.config, "max_position_embeddings", 512)
    if model.config.model_type in ("roberta", "xlm-roberta", "camembert"):
        limit -= model.config.pad_token_id + 1
    if tokenizer_max:
        limit = min(limit, tokenizer_max)
    return limit


def load_fast_tokenizer(checkpoint: Path):
    """The `tokenizers` Tokenizer of a checkpoint, and the transformers tokenizer's model_max_length if known."""
    from tokenizers import Tokenizer

    tokenizer_max = None
    config_path = checkpoint / "tokenizer_config.json"
    if config_path.is_file():
        value = json.loads(config_path.read_text()).get("model_max_length")
        if isinstance(value, int) and value < 100_000:
            tokenizer_max = value
    if (checkpoint / TOKENIZER_FILE).is_file():
        return Tokenizer.from_file(str(checkpoint / TOKENIZER_FILE)), tokenizer_max
    from transformers import AutoTokenizer

    auto = AutoTokenizer.from_pretrained(str(checkpoint))
    if not getattr(auto, "is_fast", False):
        raise ValueError(f"{checkpoint}: no tokenizer.json and no fast tokenizer can be built from its files")
    return auto.backend_tokenizer, tokenizer_max or auto.model_max_length


def pad_token_id_of(tokenizer, config) -> int:
    padding = tokenizer.padding
    if padding and padding.get("pad_id") is not None:
        return int(padding["pad_id"])
    for token in ("[PAD]", "<pad>"):
        token_id = tokenizer.token_to_id(token)
        if token_id is not None:
            return int(token_id)
    if config.pad_token_id is None:
        raise ValueError("cannot tell the pad token id from the tokenizer or the config")
    return int(config.pad_token_id)


def logits_module(model, inputs: list[str]):
    """The classifier as a module taking positional int64 inputs and returning only logits (for tracing)."""
    import torch

    class LogitsOnly(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *tensors):
            return self.model(**dict(zip(inputs, tensors))).logits

    return LogitsOnly().eval()


def export_onnx(model, inputs: list[str], sample: dict[str, np.ndarray], path: Path) -> None:
    import torch

    args = tuple(torch.from_numpy(sample[name]) for name in inputs)
    dynamic_axes = {name: {0: "batch", 1: "sequence"} for name in inputs}
    dynamic_axes["logits"] = {0: "batch"}
    with torch.no_grad():
        # The dynamo exporter needs onnxscript and, on transformers 5 models, specialises the mask code;
        # the TorchScript exporter traces these encoders with dynamic axes exactly.
        torch.onnx.export(
            logits_module(model, inputs),
            args,
            str(path),
            input_names=inputs,
            output_names=["logits"],
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
    import onnx

    onnx.checker.check_model(str(path))


def quantize_int8(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)


def read_thresholds(path: Path | None, labels: list[str]) -> dict[str, float]:
    if path is None:
        return {label: 0.5 for label in labels}
    data = json.loads(Path(path).read_text())
    data = data.get("thresholds", data)
    missing = [label for label in labels if label not in data]
    if missing:
        raise ValueError(f"{path}: no threshold for {', '.join(missing)}")
    return {label: float(data[label]) for label in labels}


def library_versions() -> dict[str, str]:
    import onnx
    import onnxruntime
    import tokenizers
    import torch
    import transformers

    return {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "onnx": onnx.__version__,
        "onnxruntime": onnxruntime.__version__,
        "opset": str(OPSET),
    }


def torch_logits(model, feeds: dict[str, np.ndarray]) -> np.ndarray:
    import torch

    with torch.no_grad():
        return model(**{k: torch.from_numpy(v) for k, v in feeds.items()}).logits.numpy()


def export_bundle(
    checkpoint: Path,
    out: Path,
    *,
    quantize: str = "int8",
    max_length: int | None = None,
    thresholds_file: Path | None = None,
    model_id: str | None = None,
    model_version: str = "dev",
    thresholds_version: str | None = None,
    metrics: dict | None = None,
    extra: dict | None = None,
) -> dict:
    """Export `checkpoint` to `out` and return the manifest written there."""
    from .bundle import pad_encodings

    checkpoint, out = Path(checkpoint), Path(out)
    if quantize not in ("int8", "none"):
        raise ValueError(f"--quantize must be int8 or none, not {quantize!r}")
    model = load_checkpoint(checkpoint)
    labels = model_labels(model.config)
    inputs = model_inputs(model)
    tokenizer, tokenizer_max = load_fast_tokenizer(checkpoint)
    limit = max_position_limit(model, tokenizer_max)
    max_length = min(max_length or DEFAULT_MAX_LENGTH, limit)
    pad_id = pad_token_id_of(tokenizer, model.config)
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_length)

    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(out / TOKENIZER_FILE))
    sample = pad_encodings(tokenizer.encode_batch(list(CHECK_TEXTS)), pad_id, inputs)
    with tempfile.TemporaryDirectory() as tmp:
        fp32_path = Path(tmp) / "fp32.onnx"
        export_onnx(model, inputs, sample, fp32_path)
        if quantize == "int8":
            quantize_int8(fp32_path, out / MODEL_FILE)
        else:
            os.replace(fp32_path, out / MODEL_FILE)

    manifest = {
        "format": BUNDLE_FORMAT,
        "model_id": model_id or checkpoint.name,
        "model_version": model_version,
        "thresholds_version": thresholds_version or ("default-0.5" if thresholds_file is None else model_version),
        "architecture": model.config.model_type,
        "labels": labels,
        "thresholds": read_thresholds(thresholds_file, labels),
        "max_length": max_length,
        "inputs": inputs,
        "output": "logits",
        "pad_token_id": pad_id,
        "quantization": "int8-dynamic" if quantize == "int8" else "none",
        "files": file_hashes(out),
        "versions": library_versions(),
        "metrics": metrics or {},
    }
    if extra:
        manifest.update(extra)
    write_manifest(out, manifest)

    scorer = BundleScorer(out)
    diff = float(np.max(np.abs(scorer.logits(list(CHECK_TEXTS)) - torch_logits(model, sample))))
    manifest["export_check"] = {"texts": len(CHECK_TEXTS), "max_abs_logit_diff_vs_pytorch": diff}
    write_manifest(out, manifest)
    return manifest


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m training.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", type=Path, required=True, help="HF sequence-classification folder")
    parser.add_argument("--out", type=Path, required=True, help="bundle directory to write")
    parser.add_argument("--quantize", choices=("int8", "none"), default="int8")
    parser.add_argument("--max-length", type=int, default=None, help=f"token limit (default {DEFAULT_MAX_LENGTH})")
    parser.add_argument("--thresholds", type=Path, default=None, help='JSON {"label": t} (default 0.5 each)')
    parser.add_argument("--model-id", default=None)
    parser.add_argument("--model-version", default="dev")
    parser.add_argument("--thresholds-version", default=None)
    parser.add_argument("--metrics", type=Path, default=None, help="JSON object stored as manifest.metrics")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    manifest = export_bundle(
        args.checkpoint,
        args.out,
        quantize=args.quantize,
        max_length=args.max_length,
        thresholds_file=args.thresholds,
        model_id=args.model_id,
        model_version=args.model_version,
        thresholds_version=args.thresholds_version,
        metrics=json.loads(args.metrics.read_text()) if args.metrics else None,
    )
    print(json.dumps({k: manifest[k] for k in ("model_id", "model_version", "architecture", "inputs", "quantization", "max_length", "export_check")}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
