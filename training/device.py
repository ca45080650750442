"""Move a sweep to a lent GPU machine whose uploads are limited to 64 MiB, and bring its best model back.

The base weights (91 MB float32) do not fit, so the sweep trains with frozen word embeddings and only carries:
the non-word-embedding tensors in float16, and the word-embedding rows of the tokens that occur in the data
(float16). Back come the trained tensors except the (frozen) word embeddings, in float32 shards under 16 MiB.
The merged checkpoint uses the float16-rounded word embeddings the GPU run trained against.

  python -m training.device pack --data <folder> --to .device-data       (here)
  python -m training.device assemble --from .device-data --to /tmp/base  (GPU machine)
  python -m training.device extract --checkpoint <ckpt> --to $OUT         (GPU machine)
  python -m training.device merge --shards <dir> --to <checkpoint dir>    (here)
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path


WORD_KEY = "embeddings.word_embeddings.weight"
SHARD_BYTES = 15 * 1024 * 1024
CONFIG_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json")


def pack(data: Path, target: Path) -> None:
    import torch
    from safetensors.torch import load_file, save_file
    from tokenizers import Tokenizer

    from .base_model import base_model_dir
    from .data import SPLITS

    base = base_model_dir()
    target.mkdir(parents=True, exist_ok=True)
    (target / "data").mkdir(exist_ok=True)
    for split in SPLITS:
        shutil.copy(Path(data) / f"{split}.jsonl", target / "data" / f"{split}.jsonl")
    for name in CONFIG_FILES:
        shutil.copy(base / name, target / name)
    tensors = load_file(str(base / "model.safetensors"))
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    ids = {0, 100, 101, 102, 103}
    for split in SPLITS:
        texts = [json.loads(line)["text"] for line in open(Path(data) / f"{split}.jsonl") if line.strip()]
        for encoding in tokenizer.encode_batch(texts):
            ids.update(encoding.ids)
    row_ids = torch.tensor(sorted(ids), dtype=torch.long)
    save_file({"ids": row_ids, "rows": tensors[WORD_KEY][row_ids].half()}, str(target / "word-rows.safetensors"))
    rest = {k: (v.half() if v.is_floating_point() else v) for k, v in tensors.items() if k != WORD_KEY}
    save_file(rest, str(target / "base-fp16.safetensors"))
    print(f"packed {len(row_ids)} word rows and {len(rest)} tensors into {target}")


def assemble(source: Path, target: Path) -> None:
    import torch
    from safetensors.torch import load_file, save_file

    target.mkdir(parents=True, exist_ok=True)
    for name in CONFIG_FILES:
        shutil.copy(source / name, target / name)
    config = json.loads((source / "config.json").read_text())
    tensors = {k: (v.float() if v.is_floating_point() else v) for k, v in load_file(str(source / "base-fp16.safetensors")).items()}
    rows = load_file(str(source / "word-rows.safetensors"))
    word = torch.zeros(config["vocab_size"], config["hidden_size"])
    word[rows["ids"]] = rows["rows"].float()
    tensors[WORD_KEY] = word
    save_file(tensors, str(target / "model.safetensors"))


def extract(checkpoint: Path, target: Path, prefix: str = "best") -> None:
    from safetensors.torch import load_file, save_file

    tensors = {k: v for k, v in load_file(str(checkpoint / "model.safetensors")).items() if not k.endswith(WORD_KEY)}
    target.mkdir(parents=True, exist_ok=True)
    shard, size, index = {}, 0, 0
    for key in sorted(tensors):
        nbytes = tensors[key].numel() * tensors[key].element_size()
        if shard and size + nbytes > SHARD_BYTES:
            save_file(shard, str(target / f"{prefix}-{index:02d}.safetensors"))
            shard, size, index = {}, 0, index + 1
        shard[key] = tensors[key].float().contiguous() if tensors[key].is_floating_point() else tensors[key]
        size += nbytes
    save_file(shard, str(target / f"{prefix}-{index:02d}.safetensors"))


def merge(shards: Path, target: Path, prefix: str = "best") -> Path:
    import torch
    from safetensors.torch import load_file

    from .base_model import base_model_dir, copy_tokenizer_files
    from .train import build_model

    state = {}
    for path in sorted(shards.glob(f"{prefix}-*.safetensors")):
        state.update(load_file(str(path)))
    if not state:
        raise FileNotFoundError(f"no {prefix}-*.safetensors in {shards}")
    model = build_model(base_model_dir(), freeze_word_embeddings=True)
    embeddings = model.get_input_embeddings()
    with torch.no_grad():
        embeddings.weight.copy_(embeddings.weight.half().float())
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith(WORD_KEY)]
    if missing or unexpected:
        raise ValueError(f"shards do not match the model: missing {missing}, unexpected {unexpected}")
    model.save_pretrained(str(target))
    copy_tokenizer_files(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.device", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--to", type=Path, required=True)
    a = sub.add_parser("assemble")
    a.add_argument("--from", dest="source", type=Path, required=True)
    a.add_argument("--to", type=Path, required=True)
    e = sub.add_parser("extract")
    e.add_argument("--checkpoint", type=Path, required=True)
    e.add_argument("--to", type=Path, required=True)
    m = sub.add_parser("merge")
    m.add_argument("--shards", type=Path, required=True)
    m.add_argument("--to", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "pack":
        pack(args.data, args.to)
    elif args.command == "assemble":
        assemble(args.source, args.to)
    elif args.command == "extract":
        extract(args.checkpoint, args.to)
    else:
        merge(args.shards, args.to)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
