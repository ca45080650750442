import {
  buildDecisionEvent,
  buildReviewEvent,
  type DecisionEvent,
  type DecisionEventFields,
  type ReviewEvent,
  type ReviewEventFields,
} from '@modstream/events';

/** Test events: a review event and a decision on it, with defaults for what a test does not care about. */
export const MODEL_LABELS = ['namecalling', 'sarcasm', 'vulgarity'] as const;

export function review(id: string, fields: Partial<Omit<ReviewEventFields, 'id'>> = {}): ReviewEvent {
  const labels = fields.labels ?? ['vulgarity'];
  return buildReviewEvent({
    id,
    queue: 'comments.review',
    priority: 50,
    labels,
    scores: Object.fromEntries(MODEL_LABELS.map((label) => [label, labels.includes(label) ? 0.9 : 0.1])),
    model_version: 'm1',
    thresholds_version: 't1',
    source: { topic: 'comments', partition: 0, offset: '7' },
    ...fields,
  });
}

export function decision(id: string, fields: Partial<Omit<DecisionEventFields, 'id'>> = {}): DecisionEvent {
  const flagged = fields.flagged_labels ?? ['vulgarity'];
  const kind = fields.decision ?? 'remove';
  return buildDecisionEvent({
    id,
    decision: kind,
    labels: kind === 'approve' ? [] : kind === 'remove' ? flagged : ['sarcasm'],
    flagged_labels: flagged,
    queue: 'comments.review',
    moderator: 'alice',
    model_version: 'm1',
    thresholds_version: 't1',
    source: { topic: 'comments', partition: 0, offset: '7' },
    decided_at: new Date('2026-12-04T10:00:00Z'),
    ...fields,
  });
}
