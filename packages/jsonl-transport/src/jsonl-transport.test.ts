import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { ConsumedRecord } from '@modstream/events';
import { runJsonlTransport, type RecordHandler } from './jsonl-transport.js';

/** Echoes each record as {offset, topic, value} after a delay that makes later chunks finish first. */
function echoHandler(): RecordHandler & { chunks: number[] } {
  const chunks: number[] = [];
  let calls = 0;
  return {
    chunks,
    async handle(records: ConsumedRecord[]) {
      chunks.push(records.length);
      const delay = Math.max(0, 20 - 5 * calls++);
      await new Promise((resolve) => setTimeout(resolve, delay));
      return records.map((record) => ({
        value: Buffer.from(
          JSON.stringify({ offset: record.offset, topic: record.topic, value: record.value?.toString() }),
        ),
      }));
    },
  };
}

async function run(input: string, chunkSize: number, chunksInFlight?: number) {
  const handler = echoHandler();
  const output = new PassThrough();
  let text = '';
  output.on('data', (data: Buffer) => (text += data.toString()));
  await runJsonlTransport(handler, [Buffer.from(input)], output, {
    sourceName: 'in.jsonl',
    chunkSize,
    ...(chunksInFlight === undefined ? {} : { chunksInFlight }),
  });
  const lines = text.split('\n');
  assert.equal(lines.pop(), '', 'output ends with a newline');
  return { handler, outputs: lines.map((line) => JSON.parse(line) as Record<string, string>) };
}

test('writes outputs in input order although later chunks finish first', async () => {
  const input = Array.from({ length: 10 }, (_, i) => `{"n":${i}}`).join('\n');
  const { handler, outputs } = await run(input, 3);
  assert.deepEqual(handler.chunks, [3, 3, 3, 1]);
  assert.deepEqual(
    outputs.map((output) => output.value),
    Array.from({ length: 10 }, (_, i) => `{"n":${i}}`),
  );
  assert.ok(outputs.every((output) => output.topic === 'in.jsonl'));
});

test('offsets are line numbers; blank lines are skipped but counted', async () => {
  const { outputs } = await run('{"a":1}\n\n  \r\n{"b":2}\r\n', 10);
  assert.deepEqual(
    outputs.map((output) => [output.offset, output.value]),
    [
      ['0', '{"a":1}'],
      ['3', '{"b":2}'],
    ],
  );
});

test('holds at most chunksInFlight chunks at once', async () => {
  let inFlight = 0;
  let most = 0;
  const handler: RecordHandler = {
    async handle(records) {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return records.map((record) => ({ value: record.value! }));
    },
  };
  const output = new PassThrough();
  output.resume();
  const input = Array.from({ length: 40 }, (_, i) => `{"n":${i}}`).join('\n');
  await runJsonlTransport(handler, [input], output, { sourceName: 'stdin', chunkSize: 2, chunksInFlight: 3 });
  assert.equal(most, 3);
});
