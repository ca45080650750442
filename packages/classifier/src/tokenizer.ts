import { Tokenizer } from '@huggingface/tokenizers';
import { bertNormalizer, bertPreTokenize, type BertNormalizerConfig } from './bert-text.js';

export interface TruncationConfig {
  maxLength: number;
  direction: 'right' | 'left';
}

interface TokenizerJson {
  normalizer?: ({ type?: string } & BertNormalizerConfig) | null;
  pre_tokenizer?: { type?: string } | null;
  model?: { unk_token?: unknown };
}

/**
 * Wordpiece/BPE tokenization of single texts from a Hugging Face tokenizer.json, with the truncation the
 * Python `tokenizers` package applies: the sequence is cut to max_length minus the special tokens the
 * post-processor adds, then the special tokens are added. Padding is left to the batch.
 */
export class BundleTokenizer {
  readonly maxLength: number;
  readonly #tokenizer: Tokenizer;
  readonly #direction: 'right' | 'left';
  readonly #specialTokenCount: number;
  readonly #unkId: number;

  constructor(tokenizerJson: object, truncation: TruncationConfig) {
    this.#tokenizer = new Tokenizer(tokenizerJson, {});
    useRustUnicodeBehaviour(this.#tokenizer, tokenizerJson as TokenizerJson);
    this.maxLength = truncation.maxLength;
    this.#direction = truncation.direction;
    this.#specialTokenCount = this.#withSpecialTokens([]).length;
    if (this.#specialTokenCount >= this.maxLength) {
      throw new RangeError(
        `max_length ${this.maxLength} leaves no room next to ${this.#specialTokenCount} special tokens`,
      );
    }
    const unkToken = (tokenizerJson as TokenizerJson).model?.unk_token;
    const unkId = typeof unkToken === 'string' ? this.#tokenizer.token_to_id(unkToken) : undefined;
    this.#unkId = unkId ?? 0;
  }

  /** Token ids of one text, special tokens included, truncated to maxLength. */
  encode(text: string): number[] {
    const tokens = this.#tokenizer.tokenize(text, { add_special_tokens: false });
    const room = this.maxLength - this.#specialTokenCount;
    const kept =
      tokens.length <= room
        ? tokens
        : this.#direction === 'right'
          ? tokens.slice(0, room)
          : tokens.slice(tokens.length - room);
    return this.#withSpecialTokens(kept).map((token) => this.#tokenizer.token_to_id(token) ?? this.#unkId);
  }

  #withSpecialTokens(tokens: string[]): string[] {
    const post = this.#tokenizer.post_processor;
    return post === null ? tokens : post.post_process(tokens, null, true).tokens;
  }
}

/**
 * Replaces tokenizers.js' BertNormalizer and BertPreTokenizer, which use JavaScript's Unicode data, by
 * implementations that follow the Rust crate code point for code point (see bert-text.ts).
 */
function useRustUnicodeBehaviour(tokenizer: Tokenizer, json: TokenizerJson): void {
  const stages = tokenizer as unknown as {
    normalizer: ((text: string) => string) | null;
    pre_tokenizer: ((text: string) => string[]) | null;
  };
  if (json.normalizer?.type === 'BertNormalizer') stages.normalizer = bertNormalizer(json.normalizer);
  if (json.pre_tokenizer?.type === 'BertPreTokenizer') stages.pre_tokenizer = bertPreTokenize;
}
