import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decision } from './events-fake.js';
import { feedbackLine } from './feedback-export.js';

/** The model's labels in model order (training/labels.py, @modstream/classifier LABELS). */
const LABELS = [
  'aspersion',
  'hyperbole',
  'lying',
  'namecalling',
  'noncooperation',
  'offtopic',
  'other_incivility',
  'pejorative',
  'sarcasm',
  'vulgarity',
];

/** The file the Python tests train on (training/tests/test_feedback_export.py): it must be what we write. */
const fixture = fileURLToPath(
  new URL('../../../training/tests/fixtures/feedback-export.jsonl', import.meta.url),
);

/** The decisions behind the fixture's rows and their texts. */
const ROWS = [
  [
    decision('fb-approve', { decision: 'approve', labels: [] }),
    'Thanks for the thoughtful reply, I learned something today.',
  ],
  [
    decision('fb-remove', { decision: 'remove', flagged_labels: ['namecalling', 'vulgarity'] }),
    'You are a complete idiot and everyone knows it.',
  ],
  [
    decision('fb-relabel', { decision: 'relabel', flagged_labels: ['vulgarity'], labels: ['sarcasm'] }),
    'Oh sure, because that worked so well last time. "Brilliant" 🙃',
  ],
  [
    decision('fb-relabel-2', {
      decision: 'relabel',
      flagged_labels: ['namecalling'],
      labels: ['aspersion', 'lying'],
    }),
    'The mayor lied again and the whole council covers for him.\nNewline and accents: café naïve.',
  ],
] as const;

it('a feedback row is id, source "moderation", text and the 10 labels as 0/1 in model order', () => {
  const line = feedbackLine(ROWS[1][0], ROWS[1][1], LABELS);
  assert.ok(line.endsWith('\n'));
  const row = JSON.parse(line) as Record<string, unknown>;
  assert.deepEqual(Object.keys(row), ['id', 'source', 'text', ...LABELS]);
  assert.equal(row.source, 'moderation');
  assert.deepEqual(
    LABELS.filter((label) => row[label] === 1),
    ['namecalling', 'vulgarity'],
  );
  assert.ok(LABELS.every((label) => row[label] === 0 || row[label] === 1));
});

it('the Python tests’ fixture is exactly what feedbackLine writes (regenerate it if the format changes)', async () => {
  const expected = ROWS.map(([event, text]) => feedbackLine(event, text, LABELS)).join('');
  assert.equal(await readFile(fixture, 'utf8'), expected);
});
