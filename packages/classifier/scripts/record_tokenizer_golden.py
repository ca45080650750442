"""Records the token ids of the golden edge-case texts with the Python `tokenizers` package.

usage: python packages/classifier/scripts/record_tokenizer_golden.py <bundle dir> [golden.json]
       pnpm exec prettier --write packages/classifier/fixtures/tokenizer-golden.json
Keeps the cases' names and texts, rewrites their ids and the tokenizer's sha256, max_length and version.
"""

import hashlib
import json
import sys
from pathlib import Path

import tokenizers
from tokenizers import Tokenizer


def main() -> None:
    bundle = Path(sys.argv[1])
    golden_path = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).parent.parent / "fixtures" / "tokenizer-golden.json"
    manifest = json.loads((bundle / "manifest.json").read_text())
    tokenizer_path = bundle / "tokenizer.json"
    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=manifest["max_length"])
    golden = json.loads(golden_path.read_text())
    for case in golden["cases"]:
        case["ids"] = tokenizer.encode(case["text"], add_special_tokens=True).ids
    golden["tokenizer_sha256"] = hashlib.sha256(tokenizer_path.read_bytes()).hexdigest()
    golden["max_length"] = manifest["max_length"]
    golden["tokenizers_version"] = tokenizers.__version__
    golden_path.write_text(json.dumps(golden, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
