import { z } from 'zod';
import { roundScores, SCORE_DECIMALS } from './scores.js';
import { sourceSchema } from './source.js';

export const SHADOW_SCHEMA = 'modstream.shadow.v1';

const verdictSchema = z.object({
  model_version: z.string(),
  thresholds_version: z.string(),
  labels: z.array(z.string()).describe('Every label at or over its threshold in this model.'),
  scores: z.record(z.string(), z.number()).describe(`Sigmoid scores, rounded to ${SCORE_DECIMALS} decimals.`),
});

export const shadowEventSchema = z
  .object({
    schema: z.literal(SHADOW_SCHEMA),
    id: z.string().min(1).max(256),
    source: sourceSchema,
    primary: verdictSchema.describe('The model that labeled the comment (its labeled event).'),
    shadow: verdictSchema.describe('The candidate model, scored on the side.'),
    differing_labels: z.array(z.string()).describe('Labels one model gives and the other does not.'),
    at: z.iso.datetime(),
  })
  .meta({
    title: SHADOW_SCHEMA,
    description:
      'One sampled comment scored by the serving model and a candidate (shadow) model, keyed by comment id.',
  });

export type ShadowEvent = z.output<typeof shadowEventSchema>;
export type ShadowVerdict = z.output<typeof verdictSchema>;

export interface ShadowEventFields {
  id: string;
  source: ShadowEvent['source'];
  primary: ShadowVerdict;
  shadow: ShadowVerdict;
  at?: Date;
}

export function buildShadowEvent({ primary, shadow, ...fields }: ShadowEventFields): ShadowEvent {
  const differing = [...new Set([...primary.labels, ...shadow.labels])].filter(
    (label) => primary.labels.includes(label) !== shadow.labels.includes(label),
  );
  return {
    schema: SHADOW_SCHEMA,
    id: fields.id,
    source: fields.source,
    primary: { ...primary, scores: roundScores(primary.scores) },
    shadow: { ...shadow, scores: roundScores(shadow.scores) },
    differing_labels: differing,
    at: (fields.at ?? new Date()).toISOString(),
  };
}

export function encodeShadow(fields: ShadowEventFields): Buffer {
  return Buffer.from(JSON.stringify(buildShadowEvent(fields)), 'utf8');
}
