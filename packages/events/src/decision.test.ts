import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeDecision,
  decisionEventSchema,
  encodeDecision,
  InvalidDecisionError,
  type DecisionEventFields,
} from './decision.js';
import { decodeReview, encodeReview } from './review.js';

const fields: DecisionEventFields = {
  id: 'c1',
  decision: 'relabel',
  labels: ['sarcasm'],
  flagged_labels: ['vulgarity'],
  queue: 'comments.review',
  moderator: 'alice',
  model_version: 'm1',
  thresholds_version: 'unknown',
  source: { topic: 'comments', partition: 2, offset: '9007199254740993' },
  decided_at: new Date('2026-12-04T10:00:00Z'),
};

describe('decision events', () => {
  it('encode and decode round-trip', () => {
    const decoded = decodeDecision(encodeDecision(fields));
    assert.deepEqual(decoded, {
      ok: true,
      event: {
        schema: 'modstream.decision.v1',
        ...fields,
        decided_at: '2026-12-04T10:00:00.000Z',
      },
    });
  });

  it('encodeDecision refuses fields that break the rules between decision and labels', () => {
    const broken: Partial<DecisionEventFields>[] = [
      { decision: 'approve', labels: ['sarcasm'] },
      { decision: 'relabel', labels: [] },
      { decision: 'remove', labels: ['sarcasm'] },
      { labels: ['sarcasm', 'sarcasm'] },
      { moderator: '' },
    ];
    for (const change of broken)
      assert.throws(
        () => encodeDecision({ ...fields, ...change }),
        InvalidDecisionError,
        JSON.stringify(change),
      );
    assert.ok(
      decisionEventSchema.safeParse(
        JSON.parse(encodeDecision({ ...fields, decision: 'remove', labels: ['vulgarity'] }).toString()),
      ).success,
    );
  });

  it('decodeDecision never throws and says why, without the values', () => {
    const valid = JSON.parse(encodeDecision(fields).toString()) as Record<string, unknown>;
    const cases: [Buffer | null, string][] = [
      [null, 'schema_violation'],
      [Buffer.from([0xc3, 0x28]), 'invalid_utf8'],
      [Buffer.from('{"id":'), 'invalid_json'],
      [Buffer.from('[]'), 'schema_violation'],
      [Buffer.from(JSON.stringify({ ...valid, decision: 'secret-value' })), 'schema_violation'],
      [Buffer.from(JSON.stringify({ ...valid, decision: 'approve' })), 'schema_violation'],
      [
        Buffer.from(JSON.stringify({ ...valid, source: { topic: 'comments', partition: 0, offset: '-1' } })),
        'schema_violation',
      ],
      [Buffer.from('['.repeat(100_000)), 'invalid_json'],
    ];
    for (const [value, reason] of cases) {
      const decoded = decodeDecision(value);
      assert.equal(decoded.ok, false);
      assert.equal(!decoded.ok && decoded.reason, reason, decoded.ok ? '' : decoded.message);
      assert.ok(!decoded.ok && !decoded.message.includes('secret-value'));
    }
  });
});

describe('review events', () => {
  it('carry thresholds_version; events without it (older workers) still decode', () => {
    const review = {
      id: 'c1',
      queue: 'comments.review',
      priority: 80,
      labels: ['vulgarity'],
      scores: { vulgarity: 0.8 },
      model_version: 'm1',
      source: { topic: 'comments', partition: 0, offset: '5' },
    };
    const withVersion = decodeReview(encodeReview({ ...review, thresholds_version: 't1' }));
    assert.ok(withVersion.ok);
    assert.equal(withVersion.event.thresholds_version, 't1');
    const old = decodeReview(encodeReview(review));
    assert.ok(old.ok);
    assert.equal(old.event.thresholds_version, undefined);
    const bad = decodeReview(
      Buffer.from(JSON.stringify({ ...review, schema: 'modstream.review.v1', priority: 'high' })),
    );
    assert.equal(!bad.ok && bad.reason, 'schema_violation');
  });
});
