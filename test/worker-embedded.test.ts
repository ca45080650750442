import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { MAX_TEXT_BYTES, cliArgs, makeEvents, repoRoot } from './worker-harness.js';

test('embedded mode: JSONL in, one labeled event or dead letter per line out, in order, no Kafka or Redis', async () => {
  const events = makeEvents(200, { malformedRatio: 0.05, repeatRatio: 0.3, idPrefix: 'e', seed: 9 });
  const input = Buffer.concat([
    ...events.flatMap((event) => [event.value, Buffer.from('\n')]),
    Buffer.from('\r\n'),
  ]);
  const child = spawn(process.execPath, cliArgs('embedded'), {
    cwd: repoRoot,
    env: {
      ...process.env,
      MODSTREAM_KAFKA_BROKERS: '',
      MODSTREAM_REDIS_URL: '',
      MODSTREAM_INFERENCE_SESSIONS: '1',
      MODSTREAM_MAX_TEXT_BYTES: String(MAX_TEXT_BYTES),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, stderr);

  const lines = stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { schema: string; id?: string; reason?: string; cache_hit?: boolean });
  const primary = lines.filter((line) => line.schema !== 'modstream.review.v1');
  assert.equal(primary.length, events.length, 'one labeled event or dead letter per input line');
  primary.forEach((line, i) => {
    const event = events[i]!;
    if (event.malformed === undefined) {
      assert.equal(line.schema, 'modstream.labeled.v1');
      assert.equal(line.id, event.id);
      assert.equal(line.cache_hit, event.repeat, `cache_hit of ${event.id}`);
    } else {
      assert.equal(line.schema, 'modstream.deadletter.v1');
      assert.equal(line.reason, event.malformed);
    }
  });
  assert.match(stderr, /modstream embedded: \d+ events/);
  assert.doesNotMatch(
    stdout + stderr,
    new RegExp(events.find((e) => e.text)!.text!.replace(/[()]/g, '\\$&')),
  );
});
