import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { encodeDecision, type Decision } from '@modstream/events';
import { produceToPartitions } from '@modstream/kafka-io';
import {
  createTestKafka,
  createTestTopic,
  deleteTestTopics,
  produceToTopic,
  requireKafka,
  testStackSettings,
} from '@modstream/testkit';
import { cliArgs, repoRoot } from './worker-harness.js';

before(async () => {
  await requireKafka();
});

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

async function modstream(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.MODSTREAM_KAFKA_BROKERS;
  delete env.MODSTREAM_REVIEW_DECISIONS_TOPIC;
  const child = spawn(process.execPath, cliArgs(...args), {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

test('modstream feedback export: first decisions since --since as training rows; usage and Kafka errors', async (t) => {
  const input = await createTestTopic(1, { prefix: 'feedback-input' });
  const decisions = await createTestTopic(2, { prefix: 'feedback-decisions' });
  t.after(() => deleteTestTopics(input, decisions));
  const kafka = createTestKafka();
  const offsets = await produceToPartitions(
    kafka,
    ['one', 'two', 'three'].map((text, i) => ({
      topic: input,
      partition: 0,
      key: `c${i}`,
      value: Buffer.from(JSON.stringify({ id: `c${i}`, text: `comment ${text}` })),
    })),
  );
  const decide = (id: string, index: number, decision: Decision, labels: string[], hoursAgo = 0) => ({
    key: id,
    value: encodeDecision({
      id,
      decision,
      labels,
      flagged_labels: ['vulgarity'],
      queue: 'comments.review',
      moderator: 'alice',
      model_version: 'm1',
      thresholds_version: 't1',
      source: { topic: input, partition: 0, offset: offsets[index]! },
      decided_at: new Date(Date.now() - hoursAgo * 3_600_000),
    }),
  });
  await produceToTopic(kafka, decisions, [
    decide('c0', 0, 'remove', ['vulgarity']),
    decide('c0', 0, 'approve', []),
    decide('c1', 1, 'relabel', ['sarcasm', 'lying']),
    decide('c2', 2, 'approve', [], 72),
    { key: 'bad', value: '{"nope":1}' },
  ]);

  const dir = await mkdtemp(join(tmpdir(), 'feedback-export-'));
  const out = join(dir, 'feedback.jsonl');
  const brokers = testStackSettings().kafkaBrokers.join(',');
  const result = await modstream([
    'feedback',
    'export',
    '--out',
    out,
    '--since',
    '24h',
    '--brokers',
    brokers,
    '--decisions-topic',
    decisions,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /wrote 2 rows/);
  assert.match(result.stderr, /repeated 1, invalid 1/);
  assert.match(result.stderr, /before --since 1, input gone 0/);
  const rows = (await readFile(out, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const ids = rows.map((row) => row.id).sort();
  assert.deepEqual(ids, ['c0', 'c1']);
  const byId = new Map(rows.map((row) => [row.id, row]));
  assert.deepEqual(byId.get('c0'), {
    id: 'c0',
    source: 'moderation',
    text: 'comment one',
    ...Object.fromEntries(LABELS.map((label) => [label, label === 'vulgarity' ? 1 : 0])),
  });
  assert.deepEqual(
    LABELS.filter((label) => byId.get('c1')?.[label] === 1),
    ['lying', 'sarcasm'],
  );
  assert.deepEqual(await readdir(dir), ['feedback.jsonl'], 'no partial file is left');

  const usage = await modstream(['feedback', 'export', '--since', 'yesterday', '--out', out]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--since must be an ISO time/);
  assert.equal((await modstream(['feedback', 'export', '--brokers', brokers])).code, 2, '--out is required');
  const missing = await modstream([
    'feedback',
    'export',
    '--out',
    join(dir, 'x.jsonl'),
    '--brokers',
    brokers,
    '--decisions-topic',
    `${decisions}-missing`,
  ]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /does not exist/);
  assert.deepEqual(await readdir(dir), ['feedback.jsonl'], 'a failed export leaves no file');
});
