import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaitForTimeoutError, waitFor } from './wait-for.js';

test('waitFor resolves with the first truthy value', async () => {
  let calls = 0;
  const value = await waitFor(() => (++calls >= 3 ? `done after ${calls}` : undefined), { intervalMs: 1 });
  assert.equal(value, 'done after 3');
});

test('waitFor treats a throwing condition as not yet met and reports its last error on timeout', async () => {
  await assert.rejects(
    waitFor(
      () => {
        throw new Error('broker says no');
      },
      { timeoutMs: 30, intervalMs: 5, message: 'topic ready' },
    ),
    (error: unknown) =>
      error instanceof WaitForTimeoutError &&
      error.message.startsWith('topic ready: not met within 30 ms') &&
      error.message.includes('broker says no'),
  );
});
