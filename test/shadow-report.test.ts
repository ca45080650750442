import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { before, test } from 'node:test';
import { encodeShadow } from '@modstream/events';
import {
  createTestKafka,
  createTestTopic,
  deleteTestTopics,
  produceToTopic,
  requireKafka,
  testStackSettings,
  uniqueName,
} from '@modstream/testkit';
import { cliArgs, freePort, repoRoot } from './worker-harness.js';

before(async () => {
  await requireKafka();
});

const HOUR = 3_600_000;
const LABELS = ['namecalling', 'vulgarity'];

/** Runs `modstream <args>` as a child process; never throws on a non-zero exit. */
async function modstream(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const childEnv = { ...process.env, ...env };
  if (env.MODSTREAM_KAFKA_BROKERS === undefined) delete childEnv.MODSTREAM_KAFKA_BROKERS;
  const child = spawn(process.execPath, cliArgs(...args), {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

function shadowEvent(id: string, primary: string[], shadow: string[], shadowVersion = 'm2'): Buffer {
  const verdict = (model: string, flagged: string[]) => ({
    model_version: model,
    thresholds_version: `t-${model}`,
    labels: flagged,
    scores: Object.fromEntries(LABELS.map((label) => [label, flagged.includes(label) ? 0.91 : 0.04])),
  });
  return encodeShadow({
    id,
    source: { topic: 'comments', partition: 0, offset: '0' },
    primary: verdict('m1', primary),
    shadow: verdict(shadowVersion, shadow),
  });
}

interface ReportJson {
  topic: string;
  since: string | null;
  events: number;
  invalid: number;
  duplicates: number;
  comments: number;
  pairs: {
    primary: { model_version: string; thresholds_version: string };
    shadow: { model_version: string; thresholds_version: string };
    comments: number;
    duplicates: number;
    exact_agreement: number;
    labels: {
      label: string;
      n: number;
      agreement: number;
      flagged_primary: number;
      flagged_shadow: number;
      change: number;
      relative_change: number | null;
      samples: { primary_only: string[]; shadow_only: string[] };
    }[];
  }[];
}

test('modstream shadow report: figures per version pair and label from a shadow topic, --since, --json', async (t) => {
  const topic = await createTestTopic(2, { prefix: 'shadow-report' });
  t.after(() => deleteTestTopics(topic));
  const kafka = createTestKafka();
  const now = Date.now();
  // The current pair on partition 0 (so its sample ids come in this order), the old one on partition 1.
  const message = (key: string, value: Buffer | string, timestamp = now) => ({
    key,
    value,
    partition: timestamp === now ? 0 : 1,
    timestamp,
  });
  await produceToTopic(kafka, topic, [
    // m1 vs m2, written now: c2 and c5 lose namecalling in the shadow, c3 and c6 gain vulgarity.
    message('c1', shadowEvent('c1', ['namecalling'], ['namecalling'])),
    message('c2', shadowEvent('c2', ['namecalling'], [])),
    message('c3', shadowEvent('c3', [], ['vulgarity'])),
    message('c4', shadowEvent('c4', [], [])),
    message('c5', shadowEvent('c5', ['namecalling', 'vulgarity'], ['vulgarity'])),
    message('c6', shadowEvent('c6', [], ['vulgarity'])),
    message('c1', shadowEvent('c1', ['namecalling'], ['namecalling'])),
    message('bad', 'not a shadow event'),
    // m1 vs m3, two hours old.
    message('o1', shadowEvent('o1', ['vulgarity'], [], 'm3'), now - 2 * HOUR),
    message('o2', shadowEvent('o2', [], [], 'm3'), now - 2 * HOUR),
  ]);

  const brokers = testStackSettings().kafkaBrokers.join(',');
  const whole = await modstream([
    'shadow',
    'report',
    '--topic',
    topic,
    '--brokers',
    brokers,
    '--json',
    '--samples',
    '1',
  ]);
  assert.equal(whole.code, 0, whole.stderr);
  const report = JSON.parse(whole.stdout) as ReportJson;
  assert.deepEqual(
    [report.topic, report.since, report.events, report.invalid, report.duplicates, report.comments],
    [topic, null, 10, 1, 1, 8],
  );
  assert.deepEqual(
    report.pairs.map((p) => [
      p.primary.model_version,
      p.shadow.model_version,
      p.shadow.thresholds_version,
      p.comments,
    ]),
    [
      ['m1', 'm2', 't-m2', 6],
      ['m1', 'm3', 't-m3', 2],
    ],
  );
  const pair = report.pairs[0]!;
  assert.equal(pair.duplicates, 1);
  assert.equal(pair.exact_agreement, 2 / 6);
  const [namecalling, vulgarity] = pair.labels;
  assert.deepEqual(
    [
      namecalling!.label,
      namecalling!.n,
      namecalling!.agreement,
      namecalling!.flagged_primary,
      namecalling!.flagged_shadow,
    ],
    ['namecalling', 6, 4 / 6, 3 / 6, 1 / 6],
  );
  assert.ok(Math.abs(namecalling!.change - -2 / 6) < 1e-12);
  assert.ok(Math.abs(namecalling!.relative_change! - -2 / 3) < 1e-12);
  assert.deepEqual(namecalling!.samples, { primary_only: ['c2'], shadow_only: [] }, '--samples 1');
  assert.deepEqual(
    [vulgarity!.label, vulgarity!.agreement, vulgarity!.flagged_primary, vulgarity!.flagged_shadow],
    ['vulgarity', 4 / 6, 1 / 6, 3 / 6],
  );
  assert.ok(Math.abs(vulgarity!.relative_change! - 2) < 1e-12);
  assert.deepEqual(vulgarity!.samples, { primary_only: [], shadow_only: ['c3'] });
  const old = report.pairs[1]!;
  assert.deepEqual(
    old.labels.map((l) => [l.label, l.flagged_primary, l.flagged_shadow, l.relative_change]),
    [
      ['namecalling', 0, 0, null],
      ['vulgarity', 0.5, 0, -1],
    ],
  );

  // --since 1h, brokers from MODSTREAM_KAFKA_BROKERS: the two-hour-old pair is left out.
  const recent = await modstream(['shadow', 'report', '--topic', topic, '--since', '1h', '--json'], {
    MODSTREAM_KAFKA_BROKERS: brokers,
  });
  assert.equal(recent.code, 0, recent.stderr);
  const recentReport = JSON.parse(recent.stdout) as ReportJson;
  assert.ok(Math.abs(Date.parse(recentReport.since!) - (Date.now() - HOUR)) < 5 * 60_000);
  assert.deepEqual(
    recentReport.pairs.map((p) => [p.shadow.model_version, p.comments]),
    [['m2', 6]],
  );
  assert.equal(recentReport.events, 8);

  // The table: one block per pair, a row per label with its sample ids.
  const table = await modstream(['shadow', 'report', '--topic', topic, '--brokers', brokers]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /10 events from 2 partitions, 8 comments \(1 invalid, 1 duplicates\)/);
  assert.match(table.stdout, /primary m1 \(thresholds t-m1\) vs shadow m2 \(thresholds t-m2\): 6 comments/);
  assert.match(
    table.stdout,
    /^namecalling\s+6\s+66\.7\s+50\.00\s+16\.67\s+-33\.33 pt \(-67 %\)\s+c2, c5 \| -$/m,
  );
  assert.match(
    table.stdout,
    /^vulgarity\s+6\s+66\.7\s+16\.67\s+50\.00\s+\+33\.33 pt \(\+200 %\)\s+- \| c3, c6$/m,
  );
  assert.doesNotMatch(table.stdout, /decision/i);
});

test('modstream shadow report: usage errors exit 2, a missing topic or an unreachable broker exits 1', async () => {
  const brokers = testStackSettings().kafkaBrokers.join(',');
  for (const args of [
    ['shadow', 'compare'],
    ['shadow', 'report', '--brokers', brokers],
    ['shadow', 'report', '--topic', 't', '--brokers', brokers, '--since', 'yesterday'],
    ['shadow', 'report', '--topic', 't', '--brokers', 'no-port'],
    ['shadow', 'report', '--topic', 't'],
  ]) {
    const result = await modstream(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /usage: modstream shadow report/);
  }
  const help = await modstream(['shadow', 'report', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /moderator decisions/);

  const missing = await modstream([
    'shadow',
    'report',
    '--topic',
    uniqueName('no-such-topic'),
    '--brokers',
    brokers,
  ]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /topic no-such-topic-\S+ does not exist/);

  const port = await freePort();
  const unreachable = await modstream(['shadow', 'report', '--topic', 't', '--brokers', `127.0.0.1:${port}`]);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, new RegExp(`cannot connect to Kafka at 127\\.0\\.0\\.1:${port}: `));
});
