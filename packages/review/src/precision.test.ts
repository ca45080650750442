import assert from 'node:assert/strict';
import { it } from 'node:test';
import { decision } from './events-fake.js';
import { PrecisionTracker } from './precision.js';

it('precision per label × model × thresholds version: remove keeps all, approve none, relabel the ticked', () => {
  const tracker = new PrecisionTracker();
  const flagged = ['namecalling', 'vulgarity'];
  tracker.add(decision('a', { decision: 'remove', flagged_labels: flagged }));
  tracker.add(decision('b', { decision: 'approve', flagged_labels: flagged, labels: [] }));
  // Relabel: namecalling kept, vulgarity dropped, sarcasm added (not flagged: no effect on precision).
  tracker.add(
    decision('c', { decision: 'relabel', flagged_labels: flagged, labels: ['namecalling', 'sarcasm'] }),
  );
  tracker.add(decision('d', { decision: 'relabel', flagged_labels: ['vulgarity'], labels: ['vulgarity'] }));
  // Another thresholds version is a row of its own.
  tracker.add(
    decision('e', {
      decision: 'approve',
      flagged_labels: ['vulgarity'],
      labels: [],
      thresholds_version: 't2',
    }),
  );
  tracker.add(decision('f', { decision: 'remove', flagged_labels: ['vulgarity'], model_version: 'm2' }));

  assert.deepEqual(tracker.precision(), [
    {
      label: 'namecalling',
      modelVersion: 'm1',
      thresholdsVersion: 't1',
      flagged: 3,
      confirmed: 2,
      precision: 2 / 3,
    },
    {
      label: 'vulgarity',
      modelVersion: 'm1',
      thresholdsVersion: 't1',
      flagged: 4,
      confirmed: 2,
      precision: 0.5,
    },
    {
      label: 'vulgarity',
      modelVersion: 'm1',
      thresholdsVersion: 't2',
      flagged: 1,
      confirmed: 0,
      precision: 0,
    },
    {
      label: 'vulgarity',
      modelVersion: 'm2',
      thresholdsVersion: 't1',
      flagged: 1,
      confirmed: 1,
      precision: 1,
    },
  ]);
});

it('no decisions, no rows', () => {
  assert.deepEqual(new PrecisionTracker().precision(), []);
});
