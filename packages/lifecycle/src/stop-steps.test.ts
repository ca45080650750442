import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StopSteps } from './stop-steps.js';

test('steps run in reverse order, all of them even when one fails, once even when called twice', async () => {
  const ran: string[] = [];
  const errors: unknown[] = [];
  const steps = new StopSteps({ error: (fields) => errors.push(fields) });
  steps.add('telemetry', async () => ran.push('telemetry'));
  steps.add('pool', async () => {
    ran.push('pool');
    throw new Error('pool close failed');
  });
  steps.add('consumer', async () => ran.push('consumer'));

  const first = steps.run();
  const second = steps.run();
  assert.equal(first, second);
  await assert.rejects(first, /stop steps failed: pool/);
  assert.deepEqual(ran, ['consumer', 'pool', 'telemetry']);
  assert.equal(errors.length, 1);
  await assert.rejects(steps.run());
  assert.deepEqual(ran, ['consumer', 'pool', 'telemetry'], 'nothing runs twice');
});
