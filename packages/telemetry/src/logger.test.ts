import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createLogger } from './logger.js';

const SECRET = 'a comment text that must stay private';

function capture(logText?: boolean): {
  lines: Record<string, unknown>[];
  log: ReturnType<typeof createLogger>;
} {
  const lines: Record<string, unknown>[] = [];
  const destination = {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  };
  return { lines, log: createLogger({ name: 'worker', level: 'info', logText, destination }) };
}

it('redacts comment text by default', () => {
  const { lines, log } = capture();
  log.info(
    {
      text: SECRET,
      comment: { id: 'c1', text: SECRET },
      batch: { text: SECRET },
      comments: [{ text: SECRET }],
    },
    'classified',
  );
  log.debug({ text: SECRET }, 'below the level');
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.ok(!JSON.stringify(line).includes('private'));
  assert.equal(line?.text, '[redacted]');
  assert.deepEqual(line?.comment, { id: 'c1', text: '[redacted]' });
  assert.equal(line?.level, 'info');
  assert.equal(line?.name, 'worker');
  assert.equal(line?.msg, 'classified');
  assert.ok(typeof line?.time === 'string' && !Number.isNaN(Date.parse(line.time)));
});

it('logs text only when asked to', () => {
  const { lines, log } = capture(true);
  log.warn({ comment: { text: SECRET } }, 'debugging');
  assert.deepEqual(lines[0]?.comment, { text: SECRET });
});
