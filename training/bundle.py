"""The modstream model bundle: file hashes, manifest, bundle tokenizer, ONNX Runtime scoring."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

BUNDLE_FORMAT = "modstream-bundle/1"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "manifest.json"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(bundle_dir: Path) -> dict:
    return json.loads((Path(bundle_dir) / MANIFEST_FILE).read_text())


def write_manifest(bundle_dir: Path, manifest: dict) -> None:
    (Path(bundle_dir) / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def file_hashes(bundle_dir: Path) -> dict:
    return {name: {"sha256": sha256_file(Path(bundle_dir) / name)} for name in (MODEL_FILE, TOKENIZER_FILE)}


def verify_hashes(bundle_dir: Path) -> None:
    manifest = read_manifest(bundle_dir)
    for name, entry in manifest["files"].items():
        actual = sha256_file(Path(bundle_dir) / name)
        if actual != entry["sha256"]:
            raise ValueError(f"{bundle_dir}/{name}: sha256 {actual} does not match the manifest's {entry['sha256']}")


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class BundleScorer:
    """Scores texts with a bundle through `tokenizers` + ONNX Runtime, padding each batch like the TS classifier."""

    def __init__(self, bundle_dir: Path, intra_op_threads: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.bundle_dir = Path(bundle_dir)
        verify_hashes(self.bundle_dir)
        self.manifest = read_manifest(self.bundle_dir)
        self.tokenizer = Tokenizer.from_file(str(self.bundle_dir / TOKENIZER_FILE))
        options = ort.SessionOptions()
        options.intra_op_num_threads = intra_op_threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(self.bundle_dir / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: list[str]) -> dict[str, np.ndarray]:
        return pad_encodings(self.tokenizer.encode_batch(texts), self.manifest["pad_token_id"], self.manifest["inputs"])

    def logits(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        out = []
        for start in range(0, len(texts), batch_size):
            feeds = self.encode(texts[start : start + batch_size])
            out.append(self.session.run([self.manifest["output"]], feeds)[0])
        return np.concatenate(out) if out else np.zeros((0, len(self.manifest["labels"])), np.float32)

    def scores(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return sigmoid(self.logits(texts, batch_size).astype(np.float64))

    def thresholds(self) -> np.ndarray:
        return np.array([self.manifest["thresholds"][label] for label in self.manifest["labels"]])


def pad_encodings(encodings, pad_token_id: int, inputs: list[str]) -> dict[str, np.ndarray]:
    width = max(len(e.ids) for e in encodings)
    ids = np.full((len(encodings), width), pad_token_id, dtype=np.int64)
    mask = np.zeros((len(encodings), width), dtype=np.int64)
    types = np.zeros((len(encodings), width), dtype=np.int64)
    for row, encoding in enumerate(encodings):
        n = len(encoding.ids)
        ids[row, :n] = encoding.ids
        mask[row, :n] = 1
        types[row, :n] = encoding.type_ids
    arrays = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    return {name: arrays[name] for name in inputs}
