import { z } from 'zod';
import type { DecodeFailureReason } from './decode-comment.js';
import { sourceSchema } from './source.js';

export const DEAD_LETTER_SCHEMA = 'modstream.deadletter.v1';

export const deadLetterSchema = z
  .object({
    schema: z.literal(DEAD_LETTER_SCHEMA),
    reason: z
      .string()
      .describe('invalid_utf8, invalid_json, schema_violation, empty_text, text_too_large, ...'),
    error: z.object({ name: z.string(), message: z.string() }),
    source: sourceSchema.extend({ key_base64: z.string().nullable() }),
    original_base64: z.string().nullable().describe('The original message value; null for a tombstone.'),
    model_version: z.string(),
    at: z.iso.datetime(),
  })
  .meta({
    title: DEAD_LETTER_SCHEMA,
    description: 'An input message that could not be labeled, with its bytes.',
  });

export type DeadLetterEvent = z.output<typeof deadLetterSchema>;

export interface DeadLetterFields {
  reason: DecodeFailureReason | (string & {});
  error: { name: string; message: string };
  source: { topic: string; partition: number; offset: string; key: Buffer | Uint8Array | null | undefined };
  original: Buffer | Uint8Array | null | undefined;
  modelVersion: string;
  at?: Date;
}

export function buildDeadLetter(fields: DeadLetterFields): DeadLetterEvent {
  const { key, ...source } = fields.source;
  return {
    schema: DEAD_LETTER_SCHEMA,
    reason: fields.reason,
    error: { name: fields.error.name, message: fields.error.message },
    source: { ...source, key_base64: toBase64(key) },
    original_base64: toBase64(fields.original),
    model_version: fields.modelVersion,
    at: (fields.at ?? new Date()).toISOString(),
  };
}

export function encodeDeadLetter(fields: DeadLetterFields): Buffer {
  return Buffer.from(JSON.stringify(buildDeadLetter(fields)), 'utf8');
}

function toBase64(bytes: Buffer | Uint8Array | null | undefined): string | null {
  if (bytes == null) return null;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
