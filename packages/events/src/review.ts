import { z } from 'zod';
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

export function encodeReview(fields: ReviewEventFields): Buffer {
  return Buffer.from(JSON.stringify(buildReviewEvent(fields)), 'utf8');
}
