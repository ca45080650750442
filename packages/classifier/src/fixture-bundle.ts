// A small, self-contained model bundle for tests: a WordPiece tokenizer over a few words and a tiny ONNX
// model (fixtures/, made by scripts/make_fixture_models.py) whose logits sum a table row per unmasked token.
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { LABELS, type Classification } from './types.js';

const WORDS = [
  'you',
  'are',
  'an',
  'idiot',
  'this',
  'is',
  'fine',
  'great',
  'wrong',
  'not',
  'the',
  'a',
  '.',
  ',',
  '!',
];

export function fixtureTokenizerJson(maxLength: number): object {
  const vocab: Record<string, number> = {};
  for (const token of ['[PAD]', '[UNK]', '[CLS]', '[SEP]', ...WORDS])
    vocab[token] = Object.keys(vocab).length;
  for (const letter of 'abcdefghijklmnopqrstuvwxyz') {
    vocab[letter] ??= Object.keys(vocab).length;
    vocab[`##${letter}`] = Object.keys(vocab).length;
  }
  const special = (content: string): object => ({
    id: vocab[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: { direction: 'Right', max_length: maxLength, strategy: 'LongestFirst', stride: 0 },
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(
        ['[CLS]', '[SEP]'].map((token) => [token, { id: token, ids: [vocab[token]], tokens: [token] }]),
      ),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

export interface FixtureBundleOptions {
  tokenTypeIds?: boolean;
  maxLength?: number;
  thresholds?: Record<string, number>;
  /** Edits the manifest before it is written (after the file hashes are computed). */
  editManifest?: (manifest: Record<string, unknown>) => void;
}

export async function makeFixtureBundle(options: FixtureBundleOptions = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'modstream-bundle-'));
  const maxLength = options.maxLength ?? 16;
  const modelFile = options.tokenTypeIds ? 'tiny-model-token-types.onnx' : 'tiny-model.onnx';
  await copyFile(
    fileURLToPath(new URL(`../fixtures/${modelFile}`, import.meta.url)),
    join(dir, 'model.onnx'),
  );
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(fixtureTokenizerJson(maxLength)));
  const manifest: Record<string, unknown> = {
    format: 'modstream-bundle/1',
    model_id: 'fixture/tiny',
    model_version: 'fixture-1',
    thresholds_version: 'fixture-thresholds-1',
    architecture: 'bert',
    labels: [...LABELS],
    thresholds: options.thresholds ?? Object.fromEntries(LABELS.map((label) => [label, 0.5])),
    max_length: maxLength,
    inputs: options.tokenTypeIds
      ? ['input_ids', 'attention_mask', 'token_type_ids']
      : ['input_ids', 'attention_mask'],
    output: 'logits',
    pad_token_id: 0,
    quantization: 'none',
    files: {
      'model.onnx': { sha256: await sha256File(join(dir, 'model.onnx')) },
      'tokenizer.json': { sha256: await sha256File(join(dir, 'tokenizer.json')) },
    },
  };
  options.editManifest?.(manifest);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

export const TEXTS = [
  'you are an idiot',
  'this is fine .',
  '',
  'great great great great great great great great great great great great great great great',
  'not wrong , not great !',
  'a',
];

export function assertSameScores(
  actual: Classification[],
  expected: Classification[],
  tolerance = 1e-6,
): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((result, row) => {
    assert.deepEqual(result.labels, expected[row]!.labels, `labels of row ${row}`);
    for (const label of LABELS) {
      const difference = Math.abs(result.scores[label]! - expected[row]!.scores[label]!);
      assert.ok(difference <= tolerance, `row ${row} ${label}: scores differ by ${difference}`);
    }
  });
}
