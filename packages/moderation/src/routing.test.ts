import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRoutingPolicy, route, routingQueues, RoutingPolicyError } from './routing.js';

const LABELS = ['aspersion', 'namecalling', 'pejorative', 'sarcasm', 'vulgarity'];
const zero = Object.fromEntries(LABELS.map((label) => [label, 0.01]));

test('the default policy sends strong vulgarity to the priority queue, other labels to review', async () => {
  const policy = await loadRoutingPolicy(undefined, LABELS);
  assert.deepEqual(routingQueues(policy), ['comments.review.priority', 'comments.review']);
  assert.deepEqual(route(policy, ['vulgarity'], { ...zero, vulgarity: 0.95 }), [
    { queue: 'comments.review.priority', rule: 'priority', priority: 95 },
  ]);
  assert.deepEqual(route(policy, ['sarcasm', 'vulgarity'], { ...zero, sarcasm: 0.7, vulgarity: 0.6 }), [
    { queue: 'comments.review', rule: 'review', priority: 70 },
  ]);
  assert.deepEqual(route(policy, [], zero), []);
});

test('match "all" routes to every matching queue', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'routing-'));
  const file = join(dir, 'policy.json');
  await writeFile(
    file,
    JSON.stringify({
      match: 'all',
      rules: [
        { name: 'a', queue: 'qa', labels: ['sarcasm'] },
        { name: 'b', queue: 'qb', min_score: 0.5 },
      ],
    }),
  );
  const policy = await loadRoutingPolicy(file, LABELS);
  assert.deepEqual(
    route(policy, ['sarcasm'], { ...zero, sarcasm: 0.4, aspersion: 0.8 }).map((r) => r.queue),
    ['qa', 'qb'],
  );
});

test('a policy naming unknown labels or fields is rejected with every problem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'routing-'));
  const file = join(dir, 'policy.json');
  await writeFile(file, JSON.stringify({ rules: [{ name: 'x', queue: 'q', labels: ['nope'] }] }));
  await assert.rejects(loadRoutingPolicy(file, LABELS), RoutingPolicyError);
  await writeFile(file, JSON.stringify({ rules: [{ name: '', queue: 'q', extra: 1 }] }));
  await assert.rejects(loadRoutingPolicy(file, LABELS), (error: Error) => {
    assert.match(error.message, /rules\.0\.name/);
    assert.match(error.message, /extra/);
    return true;
  });
});
