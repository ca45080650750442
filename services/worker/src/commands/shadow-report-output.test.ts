import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildShadowEvent } from '@modstream/events';
import { buildShadowReport } from '@modstream/moderation';
import { UsageError } from './command-args.js';
import {
  isDuration,
  parseBrokers,
  parseSince,
  shadowReportJson,
  shadowReportTable,
} from './shadow-report-output.js';

test('--since: a duration back from now or an ISO time; anything else is a usage error', () => {
  const now = new Date('2026-12-04T12:00:00Z');
  assert.equal(parseSince('2h', now).toISOString(), '2026-12-04T10:00:00.000Z');
  assert.equal(parseSince('90m', now).toISOString(), '2026-12-04T10:30:00.000Z');
  assert.equal(parseSince('7d', now).toISOString(), '2026-11-27T12:00:00.000Z');
  assert.equal(parseSince('1.5h', now).toISOString(), '2026-12-04T10:30:00.000Z');
  assert.equal(parseSince('2026-12-04T09:15:00Z', now).toISOString(), '2026-12-04T09:15:00.000Z');
  assert.equal(parseSince('2026-12-04T09:15:00+01:00', now).toISOString(), '2026-12-04T08:15:00.000Z');
  assert.equal(parseSince('2026-12-03', now).toISOString(), '2026-12-03T00:00:00.000Z');
  for (const bad of ['yesterday', '2h ago', '-2h', '12', '2026-13-45', ''])
    assert.throws(() => parseSince(bad, now), UsageError, bad);
  assert.equal(isDuration('2h'), true);
  assert.equal(isDuration('2026-12-03'), false);
});

test('--brokers: a comma-separated host:port list', () => {
  assert.deepEqual(parseBrokers('a:9092, b:9093'), ['a:9092', 'b:9093']);
  for (const bad of ['', 'a', 'a:9092,b', 'a b:1']) assert.throws(() => parseBrokers(bad), UsageError, bad);
});

test('the table: one block per version pair, a row per label; the JSON: snake_case with fractions', () => {
  const verdict = (model: string, labels: string[]) => ({
    model_version: model,
    thresholds_version: 't1',
    labels,
    scores: { namecalling: labels.includes('namecalling') ? 0.9 : 0.1 },
  });
  const event = (id: string, primary: string[], shadow: string[]) =>
    buildShadowEvent({
      id,
      source: { topic: 'comments', partition: 0, offset: '0' },
      primary: verdict('m1', primary),
      shadow: verdict('m2', shadow),
      at: new Date('2026-12-04T10:00:00Z'),
    });
  const report = buildShadowReport([
    event('a', ['namecalling'], ['namecalling']),
    event('b', ['namecalling'], []),
    event('c', [], []),
    event('d', [], []),
    { not: 'an event' },
  ]);
  const read = {
    topic: 'comments.shadow',
    since: new Date('2026-12-04T08:00:00Z'),
    sinceDuration: '2h',
    partitions: [{ partition: 0, start: '3', end: '8' }],
  };
  assert.equal(
    shadowReportTable(report, read),
    [
      'shadow report: topic comments.shadow, since 2026-12-04T08:00:00.000Z (2h ago): 5 events from 1 partitions, 4 comments (1 invalid, 0 duplicates)',
      '',
      'primary m1 (thresholds t1) vs shadow m2 (thresholds t1): 4 comments, 2026-12-04T10:00:00.000Z to 2026-12-04T10:00:00.000Z; 75.0 % agree on every label',
      'label        n  agree %  primary %  shadow %             change  sample ids: primary only | shadow only',
      'namecalling  4     75.0      50.00     25.00  -25.00 pt (-50 %)  b | -',
      '',
    ].join('\n'),
  );
  const json = shadowReportJson(report, read) as { since: string; pairs: { labels: object[] }[] };
  assert.equal(json.since, '2026-12-04T08:00:00.000Z');
  assert.deepEqual(json.pairs[0]!.labels[0], {
    label: 'namecalling',
    n: 4,
    both: 1,
    primary_only: 1,
    shadow_only: 0,
    neither: 2,
    agreement: 0.75,
    flagged_primary: 0.5,
    flagged_shadow: 0.25,
    change: -0.25,
    relative_change: -0.5,
    samples: { primary_only: ['b'], shadow_only: [] },
  });
  assert.match(
    shadowReportTable(buildShadowReport([]), { ...read, since: undefined, sinceDuration: undefined }),
    /from the beginning: 0 events .*\n\nno shadow events to compare\n$/,
  );
});
