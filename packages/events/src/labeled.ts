import { z } from 'zod';
import { roundScores, SCORE_DECIMALS } from './scores.js';
import { sourceSchema } from './source.js';

export const LABELED_SCHEMA = 'modstream.labeled.v1';

const labeledCoreSchema = z.object({
  schema: z.literal(LABELED_SCHEMA),
  id: z.string().min(1).max(256),
  labels: z.array(z.string()).describe('Every label whose score passed its threshold, in model order.'),
  scores: z
    .record(z.string(), z.number())
    .describe(
      `Sigmoid score of every label, rounded to ${SCORE_DECIMALS} decimals (labels use the unrounded score).`,
    ),
  model_version: z.string(),
  thresholds_version: z.string(),
  cache_hit: z.boolean(),
  source: sourceSchema,
  timings: z.object({
    queued_ms: z.number().min(0),
    inference_ms: z.number().min(0),
    total_ms: z.number().min(0),
  }),
  produced_at: z.iso.datetime(),
});

export const labeledEventSchema = labeledCoreSchema.loose().meta({
  title: LABELED_SCHEMA,
  description:
    'Labels of one comment, keyed by comment id; the comment fields other than text are passed through.',
});

export type LabeledEvent = z.output<typeof labeledEventSchema>;

export type LabeledEventFields = Omit<z.output<typeof labeledCoreSchema>, 'schema' | 'produced_at'> & {
  produced_at?: string;
  /** Comment fields to copy (see passthroughFields); the labeled fields win over a clash. */
  passthrough?: Record<string, unknown>;
};

export function buildLabeledEvent({ passthrough, ...fields }: LabeledEventFields): LabeledEvent {
  return {
    ...passthrough,
    ...fields,
    scores: roundScores(fields.scores),
    schema: LABELED_SCHEMA,
    produced_at: fields.produced_at ?? new Date().toISOString(),
  };
}

export function encodeLabeled(fields: LabeledEventFields): Buffer {
  return Buffer.from(JSON.stringify(buildLabeledEvent(fields)), 'utf8');
}
