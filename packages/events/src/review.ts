import { z } from 'zod';
import { decodeEvent, type EventDecodeResult } from './decode-event.js';
import { roundScores, SCORE_DECIMALS } from './scores.js';
import { sourceSchema } from './source.js';

export const REVIEW_SCHEMA = 'modstream.review.v1';

const reviewCoreSchema = z.object({
  schema: z.literal(REVIEW_SCHEMA),
  id: z.string().min(1).max(256),
  queue: z.string().min(1),
  priority: z.number().describe('Higher is more urgent.'),
  labels: z.array(z.string()),
  scores: z
    .record(z.string(), z.number())
    .describe(`Sigmoid score of every label, rounded to ${SCORE_DECIMALS} decimals.`),
  model_version: z.string(),
  thresholds_version: z
    .string()
    .optional()
    .describe('Version of the thresholds that decided the labels; absent in events of older workers.'),
  source: sourceSchema,
});

export const reviewEventSchema = reviewCoreSchema
  .loose()
  .meta({ title: REVIEW_SCHEMA, description: 'A comment routed to a moderator queue, keyed by comment id.' });

export type ReviewEvent = z.output<typeof reviewEventSchema>;

export type ReviewEventFields = Omit<z.output<typeof reviewCoreSchema>, 'schema'> & {
  passthrough?: Record<string, unknown>;
};

export function buildReviewEvent({ passthrough, ...fields }: ReviewEventFields): ReviewEvent {
  return { ...passthrough, ...fields, scores: roundScores(fields.scores), schema: REVIEW_SCHEMA };
}

/**
 * Decodes a review event (a message of a queue topic); never throws, whatever the bytes. Failure messages
 * name fields and bounds, never values, so they are safe to log.
 */
export function decodeReview(value: Buffer | Uint8Array | null | undefined): EventDecodeResult<ReviewEvent> {
  return decodeEvent(value, reviewEventSchema);
}

export function encodeReview(fields: ReviewEventFields): Buffer {
  return Buffer.from(JSON.stringify(buildReviewEvent(fields)), 'utf8');
}
