import { z } from 'zod';

/** Where an event came from: Kafka offsets are decimal strings (they can exceed 2^53). */
export const sourceSchema = z.object({
  topic: z.string(),
  partition: z.number().int().min(0),
  offset: z.string().regex(/^\d+$/),
});

export type EventSource = z.output<typeof sourceSchema>;
