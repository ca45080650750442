// BertNormalizer and BertPreTokenizer as the Rust `tokenizers` crate (behind the Python package) applies them,
// driven by tables probed from that crate (data/bert-unicode-tables.json, scripts/generate_bert_unicode_tables.py)
// rather than by JavaScript's Unicode data, which differs (final sigma, CJK outside the BMP, newer marks and
// punctuation).
import { readFileSync } from 'node:fs';

interface TableFile {
  tokenizers_version: string;
  clean_text_removed: number[];
  clean_text_whitespace: number[];
  chinese_chars: number[];
  lowercase: Record<string, string>;
  strip_accents_removed: number[];
  strip_accents_mapped: Record<string, string>;
  pre_tokenizer_punctuation: number[];
  pre_tokenizer_whitespace: number[];
}

/** A set of code points from flattened inclusive [start, end] ranges, sorted. */
class CodePointRanges {
  readonly #flat: number[];
  constructor(flat: number[]) {
    this.#flat = flat;
  }
  has(codePoint: number): boolean {
    let low = 0;
    let high = this.#flat.length / 2 - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (codePoint < this.#flat[2 * middle]!) high = middle - 1;
      else if (codePoint > this.#flat[2 * middle + 1]!) low = middle + 1;
      else return true;
    }
    return false;
  }
}

interface Tables {
  removed: CodePointRanges;
  whitespace: CodePointRanges;
  chinese: CodePointRanges;
  lowercase: Map<number, string>;
  stripRemoved: CodePointRanges;
  stripMapped: Map<number, string>;
  punctuation: CodePointRanges;
  splitWhitespace: CodePointRanges;
}

let tables: Tables | undefined;

function load(): Tables {
  const file = JSON.parse(
    readFileSync(new URL('../data/bert-unicode-tables.json', import.meta.url), 'utf8'),
  ) as TableFile;
  const map = (record: Record<string, string>): Map<number, string> =>
    new Map(Object.entries(record).map(([codePoint, text]) => [Number(codePoint), text]));
  return {
    removed: new CodePointRanges(file.clean_text_removed),
    whitespace: new CodePointRanges(file.clean_text_whitespace),
    chinese: new CodePointRanges(file.chinese_chars),
    lowercase: map(file.lowercase),
    stripRemoved: new CodePointRanges(file.strip_accents_removed),
    stripMapped: map(file.strip_accents_mapped),
    punctuation: new CodePointRanges(file.pre_tokenizer_punctuation),
    splitWhitespace: new CodePointRanges(file.pre_tokenizer_whitespace),
  };
}

export interface BertNormalizerConfig {
  clean_text?: boolean;
  handle_chinese_chars?: boolean;
  strip_accents?: boolean | null;
  lowercase?: boolean;
}

const isHangulSyllable = (codePoint: number): boolean => codePoint >= 0xac00 && codePoint <= 0xd7a3;

/** BertNormalizer, one code point at a time (each of its steps maps code points independently). */
export function bertNormalizer(config: BertNormalizerConfig): (text: string) => string {
  const t = (tables ??= load());
  const clean = config.clean_text ?? true;
  const chinese = config.handle_chinese_chars ?? true;
  const lowercase = config.lowercase ?? true;
  const strip = config.strip_accents ?? lowercase;
  const stripAccents = (ch: string, codePoint: number): string => {
    if (t.stripRemoved.has(codePoint)) return '';
    if (isHangulSyllable(codePoint)) return ch.normalize('NFD');
    return t.stripMapped.get(codePoint) ?? ch;
  };
  const lower = (text: string): string => {
    let out = '';
    for (const ch of text) out += t.lowercase.get(ch.codePointAt(0)!) ?? ch;
    return out;
  };
  return (text) => {
    let out = '';
    for (const ch of text) {
      const codePoint = ch.codePointAt(0)!;
      if (clean && t.removed.has(codePoint)) continue;
      if (clean && t.whitespace.has(codePoint)) {
        out += ' ';
        continue;
      }
      let mapped = strip ? stripAccents(ch, codePoint) : ch;
      if (lowercase) mapped = lower(mapped);
      out += chinese && t.chinese.has(codePoint) ? ` ${mapped} ` : mapped;
    }
    return out;
  };
}

/** BertPreTokenizer: words split on whitespace, every punctuation character a word of its own. */
export function bertPreTokenize(text: string): string[] {
  const t = (tables ??= load());
  const words: string[] = [];
  let word = '';
  for (const ch of text) {
    const codePoint = ch.codePointAt(0)!;
    if (t.splitWhitespace.has(codePoint)) {
      if (word !== '') words.push(word);
      word = '';
    } else if (t.punctuation.has(codePoint)) {
      if (word !== '') words.push(word);
      words.push(ch);
      word = '';
    } else {
      word += ch;
    }
  }
  if (word !== '') words.push(word);
  return words;
}
