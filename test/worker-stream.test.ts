import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { before, test } from 'node:test';
import { countKeysWithPrefix, requireStack } from '@modstream/testkit';
import {
  OutputCollector,
  cliArgs,
  killWorker,
  makeEvents,
  produceEvents,
  repoRoot,
  startWorker,
  tally,
  workerTestContext,
  type LabeledOut,
} from './worker-harness.js';

const EVENTS = 10_000;
const SCORE_TOLERANCE = 0.01;

before(async () => {
  await requireStack();
});

test('10,000 events, 5 % malformed, 20 % repeats: one output per id, repeats from the cache, labels equal `modstream classify`', async (t) => {
  const { kafka, topics, env, redis } = await workerTestContext(t, 'stream');

  const events = makeEvents(EVENTS, { malformedRatio: 0.05, repeatRatio: 0.2, idPrefix: 's' });
  const valid = events.filter((event) => event.malformed === undefined);
  const uniqueTexts = new Set(valid.map((event) => event.text)).size;
  await produceEvents(kafka, topics.input, events);

  const startedAt = Date.now();
  const worker = await startWorker(env);
  t.after(() => killWorker(worker));
  await worker.waitReady();
  const collector = new OutputCollector(kafka, topics);
  await collector.start();
  t.after(() => collector.stop());
  await collector.waitForIds(
    events.map((event) => event.id),
    420_000,
  );
  const seconds = (Date.now() - startedAt) / 1000;
  const metrics = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
  const metric = (name: string) =>
    metrics
      .split('\n')
      .filter((line) => line.startsWith(name))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  assert.equal(metric('modstream_events_in_total'), EVENTS, '/metrics events in');
  assert.equal(metric('modstream_dead_letters_total'), EVENTS * 0.05, '/metrics dead letters');
  assert.equal(metric('modstream_events_out_total{kind="labeled"}'), EVENTS * 0.95, '/metrics labeled out');
  worker.child.kill('SIGTERM');
  assert.equal((await worker.exited).code, 0);
  await collector.waitCaughtUp();

  const { counts, missing, duplicates } = tally(collector, events);
  assert.deepEqual(missing, []);
  assert.equal(duplicates, 0, 'one output per input id');
  assert.ok([...counts.values()].every((n) => n === 1));

  const deadIds = new Set(collector.deadLetters.map((dead) => dead.id));
  for (const event of events) assert.equal(deadIds.has(event.id), event.malformed !== undefined, event.id);
  const reasons = new Map(events.filter((e) => e.malformed).map((e) => [e.id, e.malformed]));
  for (const dead of collector.deadLetters) assert.equal(dead.reason, reasons.get(dead.id), dead.id);

  const hits = collector.labeled.filter((event) => event.cache_hit).length;
  const repeats = valid.length - uniqueTexts;
  const keys = await countKeysWithPrefix(redis, env.MODSTREAM_CACHE_KEY_PREFIX!);
  console.log(
    `stream: ${events.length} events (${valid.length} valid, ${uniqueTexts} distinct texts, ${repeats} repeats), ` +
      `${collector.labeled.length} labeled, ${collector.deadLetters.length} dead letters, ${duplicates} duplicates, ` +
      `${collector.review.length} review; cache hits ${hits} (hit ratio ${((100 * hits) / valid.length).toFixed(1)} %, ` +
      `${((100 * hits) / repeats).toFixed(1)} % of repeats), ${keys} cache keys; ${seconds.toFixed(1)} s ` +
      `(${(events.length / seconds).toFixed(0)} events/s)`,
  );
  // Every repeat is a cache hit or shares the in-flight inference of its text; a repeat can miss only
  // in the instant between another chunk's cache read and its write, so allow 1 % of them.
  assert.ok(hits >= repeats * 0.99, `cache hits ${hits} < 99 % of ${repeats} repeats`);
  assert.ok(hits <= repeats, `cache hits ${hits} > ${repeats} repeats`);
  assert.equal(keys, uniqueTexts, 'one cache entry per distinct text');

  // The worker's labels equal `modstream classify --json` for the same texts. With an int8-dynamic model the
  // activation ranges are quantised per batch, so a score moves by ~1e-3 with the batch it ran in: a label
  // may differ only where its score is that close to its threshold.
  const manifest = JSON.parse(
    await readFile(join(repoRoot, 'models/incivility-minilm-l6/manifest.json'), 'utf8'),
  ) as { thresholds: Record<string, number> };
  const byId = new Map(collector.labeled.map((event) => [event.id, event]));
  const sample = valid.filter((_, i) => i % 40 === 0);
  const expected = await classifyCli(sample.map((event) => event.text!));
  assert.equal(expected.length, sample.length);
  let equal = 0;
  let borderline = 0;
  sample.forEach((event, i) => {
    const got = byId.get(event.id) as LabeledOut;
    const want = expected[i]!;
    if (JSON.stringify(got.labels) === JSON.stringify(want.labels)) equal++;
    for (const [label, score] of Object.entries(want.scores)) {
      const delta = Math.abs((got.scores[label] ?? NaN) - score);
      assert.ok(delta < SCORE_TOLERANCE, `${event.id} ${label}: ${got.scores[label]} vs ${score}`);
      if (got.labels.includes(label) !== want.labels.includes(label)) {
        borderline++;
        const threshold = manifest.thresholds[label]!;
        assert.ok(
          Math.abs(score - threshold) < SCORE_TOLERANCE,
          `${event.id} ${label}: labels differ with score ${score} far from threshold ${threshold}`,
        );
      }
    }
  });
  console.log(
    `stream: ${equal}/${sample.length} sampled events have exactly the labels of \`modstream classify --json\`` +
      ` (${borderline} label(s) differ, all within ${SCORE_TOLERANCE} of their threshold)`,
  );
});

/** `modstream classify --json`, texts on stdin one per line, one JSON object per line out. */
async function classifyCli(texts: string[]): Promise<{ labels: string[]; scores: Record<string, number> }[]> {
  const child = spawn(process.execPath, cliArgs('classify', '--json'), {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(texts.map((text) => `${text}\n`).join(''));
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, 'modstream classify exit code');
  return lines.filter((line) => line.trim() !== '').map((line) => JSON.parse(line));
}
