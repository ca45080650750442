"""Token ids of texts with the Python `tokenizers` package, for parity tests of the TypeScript tokenizer.

Reads JSON lines with a "text" field (from --input or stdin), writes one JSON array of ids per line.
Truncation is set to --max-length (right side) and padding is disabled, as the bundle's manifest specifies.
"""

import argparse
import json
import sys

from tokenizers import Tokenizer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokenizer", required=True, help="path to tokenizer.json")
    parser.add_argument("--max-length", type=int, required=True)
    parser.add_argument("--input", help="JSON lines with a 'text' field; default stdin")
    args = parser.parse_args()

    tokenizer = Tokenizer.from_file(args.tokenizer)
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=args.max_length)

    source = open(args.input, encoding="utf-8") if args.input else sys.stdin
    with source:
        texts = [json.loads(line)["text"] for line in source if line.strip()]
    for encoding in tokenizer.encode_batch(texts, add_special_tokens=True):
        sys.stdout.write(json.dumps(encoding.ids) + "\n")


if __name__ == "__main__":
    main()
