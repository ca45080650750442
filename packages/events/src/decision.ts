import { z } from 'zod';
import { decodeEvent, describeIssues, type EventDecodeResult } from './decode-event.js';
import { sourceSchema } from './source.js';

export const DECISION_SCHEMA = 'modstream.decision.v1';

/** approve: the comment is civil (no label holds); remove: the flagged labels hold; relabel: these labels hold. */
export const DECISIONS = ['approve', 'remove', 'relabel'] as const;
export type Decision = (typeof DECISIONS)[number];

/** The thresholds version of a decision on a review event written before review events carried it. */
export const UNKNOWN_THRESHOLDS_VERSION = 'unknown';

const labelList = z.array(z.string().min(1).max(64)).max(64);

const decisionCoreSchema = z.object({
  schema: z.literal(DECISION_SCHEMA),
  id: z.string().min(1).max(256).describe('The comment id (also the Kafka key).'),
  decision: z.enum(DECISIONS),
  labels: labelList.describe(
    'The labels the moderator says hold: none for approve, the flagged labels for remove, the ticked ones ' +
      '(at least one) for relabel.',
  ),
  flagged_labels: labelList.describe('The labels the model had flagged (the review event’s labels).'),
  queue: z.string().min(1).max(256).describe('The review queue the comment was decided from.'),
  moderator: z.string().min(1).max(256).describe('The user id of the moderator who decided.'),
  model_version: z.string().max(256),
  thresholds_version: z
    .string()
    .max(256)
    .describe(`The review event’s thresholds version; "${UNKNOWN_THRESHOLDS_VERSION}" where it had none.`),
  source: sourceSchema.describe('Where the input comment is: its topic, partition and offset.'),
  decided_at: z.iso.datetime(),
});

type DecisionCore = z.output<typeof decisionCoreSchema>;

/** The rules between fields that a JSON Schema of the fields alone does not state. */
function consistencyIssues(event: DecisionCore): string[] {
  const issues: string[] = [];
  if (new Set(event.labels).size !== event.labels.length) issues.push('labels: repeated label');
  if (event.decision === 'approve' && event.labels.length > 0)
    issues.push('labels: must be empty for approve');
  if (event.decision === 'relabel' && event.labels.length === 0)
    issues.push('labels: relabel needs at least one label');
  if (event.decision === 'remove') {
    const flagged = new Set(event.flagged_labels);
    if (event.labels.length !== flagged.size || event.labels.some((label) => !flagged.has(label)))
      issues.push('labels: must equal flagged_labels for remove');
  }
  return issues;
}

export const decisionEventSchema = decisionCoreSchema
  .superRefine((event, context) => {
    for (const message of consistencyIssues(event)) context.addIssue({ code: 'custom', message, path: [] });
  })
  .meta({
    title: DECISION_SCHEMA,
    description:
      'A moderator’s decision on a flagged comment, keyed by comment id; the first decision per id wins. ' +
      'labels is empty for approve, equals flagged_labels for remove, and holds at least one label for relabel.',
  });

export type DecisionEvent = z.output<typeof decisionCoreSchema>;

export type DecisionEventFields = Omit<DecisionEvent, 'schema' | 'decided_at'> & {
  /** Now when absent. */
  decided_at?: Date | string;
};

/** A decision's fields break the schema (a bug of the caller: DecisionDesk validates before). */
export class InvalidDecisionError extends Error {
  readonly kind = 'invalid_decision';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDecisionError';
  }
}

export function buildDecisionEvent({ decided_at, ...fields }: DecisionEventFields): DecisionEvent {
  const decidedAt =
    decided_at instanceof Date ? decided_at.toISOString() : (decided_at ?? new Date().toISOString());
  return {
    schema: DECISION_SCHEMA,
    id: fields.id,
    decision: fields.decision,
    labels: [...fields.labels],
    flagged_labels: [...fields.flagged_labels],
    queue: fields.queue,
    moderator: fields.moderator,
    model_version: fields.model_version,
    thresholds_version: fields.thresholds_version,
    source: { topic: fields.source.topic, partition: fields.source.partition, offset: fields.source.offset },
    decided_at: decidedAt,
  };
}

/** Builds, checks and encodes a decision event; throws InvalidDecisionError where the fields break the schema. */
export function encodeDecision(fields: DecisionEventFields): Buffer {
  const event = buildDecisionEvent(fields);
  const checked = decisionEventSchema.safeParse(event);
  if (!checked.success) throw new InvalidDecisionError(describeIssues(checked.error.issues));
  return Buffer.from(JSON.stringify(event), 'utf8');
}

/** Decodes a message of the decisions topic; never throws, whatever the bytes. */
export function decodeDecision(
  value: Buffer | Uint8Array | null | undefined,
): EventDecodeResult<DecisionEvent> {
  return decodeEvent(value, decisionEventSchema);
}
