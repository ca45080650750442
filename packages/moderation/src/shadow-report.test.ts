import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildShadowEvent } from '@modstream/events';
import { buildShadowReport, ShadowReportBuilder } from './shadow-report.js';

const LABELS = ['namecalling', 'vulgarity'];
const source = { topic: 'comments', partition: 0, offset: '0' };

function event(
  id: string,
  primaryLabels: string[],
  shadowLabels: string[],
  options: { shadowVersion?: string; shadowOnlyLabels?: string[]; at?: string } = {},
) {
  const scores = (flagged: string[], labels: string[]) =>
    Object.fromEntries(labels.map((label) => [label, flagged.includes(label) ? 0.9 : 0.1]));
  const shadowVersion = options.shadowVersion ?? 'm2';
  return buildShadowEvent({
    id,
    source,
    primary: {
      model_version: 'm1',
      thresholds_version: 't1',
      labels: primaryLabels,
      scores: scores(primaryLabels, LABELS),
    },
    shadow: {
      model_version: shadowVersion,
      thresholds_version: `t-${shadowVersion}`,
      labels: shadowLabels,
      scores: scores(shadowLabels, [...LABELS, ...(options.shadowOnlyLabels ?? [])]),
    },
    at: new Date(options.at ?? '2026-12-04T10:00:00Z'),
  });
}

test('per label: counts, agreement, flagged rates, change and sample ids of each disagreement', () => {
  const report = buildShadowReport([
    event('c1', ['namecalling'], ['namecalling'], { at: '2026-12-04T10:00:02Z' }),
    event('c2', ['namecalling'], []),
    event('c3', [], ['vulgarity'], { at: '2026-12-04T09:59:00Z' }),
    event('c4', [], []),
    event('c1', ['namecalling'], ['namecalling']),
    event('c5', ['vulgarity'], ['vulgarity'], { shadowVersion: 'm3' }),
  ]);
  assert.deepEqual(report.totals, { events: 6, invalid: 0, duplicates: 1, comments: 5 });
  assert.equal(report.pairs.length, 2);
  const [pair, other] = report.pairs;
  assert.deepEqual(pair!.primary, { modelVersion: 'm1', thresholdsVersion: 't1' });
  assert.deepEqual(pair!.shadow, { modelVersion: 'm2', thresholdsVersion: 't-m2' });
  assert.equal(pair!.comments, 4);
  assert.equal(pair!.duplicates, 1);
  assert.equal(pair!.exactAgreement, 0.5);
  assert.equal(pair!.firstAt, '2026-12-04T09:59:00.000Z');
  assert.equal(pair!.lastAt, '2026-12-04T10:00:02.000Z');
  assert.deepEqual(pair!.labels, [
    {
      label: 'namecalling',
      n: 4,
      both: 1,
      primaryOnly: 1,
      shadowOnly: 0,
      neither: 2,
      agreement: 0.75,
      flaggedPrimary: 0.5,
      flaggedShadow: 0.25,
      change: -0.25,
      relativeChange: -0.5,
      samples: { primaryOnly: ['c2'], shadowOnly: [] },
    },
    {
      label: 'vulgarity',
      n: 4,
      both: 0,
      primaryOnly: 0,
      shadowOnly: 1,
      neither: 3,
      agreement: 0.75,
      flaggedPrimary: 0,
      flaggedShadow: 0.25,
      change: 0.25,
      relativeChange: null,
      samples: { primaryOnly: [], shadowOnly: ['c3'] },
    },
  ]);
  assert.deepEqual(other!.shadow, { modelVersion: 'm3', thresholdsVersion: 't-m3' });
  assert.equal(other!.comments, 1);
  assert.equal(other!.exactAgreement, 1);
  assert.deepEqual(
    other!.labels.map((l) => [l.label, l.n, l.agreement, l.flaggedPrimary, l.flaggedShadow]),
    [
      ['namecalling', 1, 1, 0, 0],
      ['vulgarity', 1, 1, 1, 1],
    ],
  );
});

test('invalid events are counted, not thrown: bad JSON, tombstones, schema violations', () => {
  const builder = new ShadowReportBuilder();
  builder.addMessage(Buffer.from(JSON.stringify(event('ok', [], []))));
  builder.addMessage('not json');
  builder.addMessage(null);
  builder.addMessage(Buffer.from([0xff, 0xfe]));
  builder.add({ schema: 'modstream.shadow.v1', id: 'x' });
  builder.add({ ...event('y', [], []), schema: 'modstream.labeled.v1' });
  builder.add(42);
  const report = builder.build();
  assert.deepEqual(report.totals, { events: 7, invalid: 6, duplicates: 0, comments: 1 });
  assert.deepEqual(buildShadowReport([]), {
    totals: { events: 0, invalid: 0, duplicates: 0, comments: 0 },
    pairs: [],
  });
});

test('samples are capped per label and direction, first seen first; a label only the shadow has', () => {
  const report = buildShadowReport(
    [
      event('a', [], ['vulgarity']),
      event('b', ['namecalling'], ['sarcasm'], { shadowOnlyLabels: ['sarcasm'] }),
      event('c', [], ['vulgarity', 'sarcasm'], { shadowOnlyLabels: ['sarcasm'] }),
      event('d', ['namecalling'], []),
    ],
    { samples: 1 },
  );
  const labels = Object.fromEntries(report.pairs[0]!.labels.map((l) => [l.label, l]));
  assert.deepEqual(labels.vulgarity!.samples, { primaryOnly: [], shadowOnly: ['a'] });
  assert.equal(labels.vulgarity!.shadowOnly, 2);
  assert.deepEqual(labels.namecalling!.samples, { primaryOnly: ['b'], shadowOnly: [] });
  // The primary has no sarcasm: not flagged by it, for every comment (also those before it appeared).
  assert.deepEqual(
    [labels.sarcasm!.n, labels.sarcasm!.shadowOnly, labels.sarcasm!.neither, labels.sarcasm!.flaggedShadow],
    [4, 2, 2, 0.5],
  );
  assert.equal(labels.sarcasm!.relativeChange, null);
  assert.equal(report.pairs[0]!.exactAgreement, 0);
  assert.deepEqual(
    buildShadowReport([event('a', [], ['vulgarity'])], { samples: 0 }).pairs[0]!.labels[1]!.samples,
    { primaryOnly: [], shadowOnly: [] },
  );
});
