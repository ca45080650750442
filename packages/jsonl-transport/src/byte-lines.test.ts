import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byteLines } from './byte-lines.js';

async function lines(...chunks: (Buffer | string)[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const line of byteLines(chunks)) out.push(line);
  return out;
}

test('splits on \\n across chunk boundaries, strips one \\r, keeps a last line without a newline', async () => {
  assert.deepEqual((await lines('{"a":', '1}\r\n{"b"', ':2}\n\n', '{"c":3}')).map(String), [
    '{"a":1}',
    '{"b":2}',
    '',
    '{"c":3}',
  ]);
});

test('passes invalid UTF-8 through as the bytes read', async () => {
  const invalid = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
  const [line] = await lines(Buffer.concat([invalid, Buffer.from('\n')]));
  assert.deepEqual(line, invalid);
});

test('no input, no lines; a trailing newline adds no empty line', async () => {
  assert.deepEqual(await lines(), []);
  assert.deepEqual((await lines('x\n')).map(String), ['x']);
});
