import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DecodeFailureReason } from './decode-comment.js';
import { sourceSchema } from './source.js';

export const DEAD_LETTER_SCHEMA = 'modstream.deadletter.v1';

/** Original bytes a dead letter carries by default: its base64 stays far below Kafka's 1 MB record limit. */
export const DEFAULT_DEAD_LETTER_MAX_ORIGINAL_BYTES = 65_536;
/** Source keys longer than this are cut in `key_base64` (and replaced by their hash as the dead letter's key). */
export const DEAD_LETTER_MAX_KEY_BYTES = 1_024;
const MAX_ERROR_MESSAGE_CHARS = 1_024;

/** Reasons a record can be dead-lettered after it was decoded (decoding reasons: DecodeFailureReason). */
export type PipelineFailureReason =
  'tokenize_failed' | 'inference_failed' | 'encode_failed' | 'output_too_large' | 'output_rejected';

/** Reasons the review service dead-letters a message of a topic it reads (decisions, review queues). */
export type ReviewFailureReason = 'decision_invalid' | 'review_invalid';

export type DeadLetterReason = DecodeFailureReason | PipelineFailureReason | ReviewFailureReason;

export const deadLetterSchema = z
  .object({
    schema: z.literal(DEAD_LETTER_SCHEMA),
    reason: z
      .string()
      .describe(
        'invalid_utf8, invalid_json, schema_violation, empty_text, text_too_large, tokenize_failed, ' +
          'inference_failed, encode_failed, output_too_large, output_rejected (the worker); ' +
          'decision_invalid, review_invalid (the review service)',
      ),
    error: z.object({ name: z.string(), message: z.string().max(MAX_ERROR_MESSAGE_CHARS) }),
    source: sourceSchema.extend({
      key_base64: z
        .string()
        .nullable()
        .describe(`The source key, cut after ${DEAD_LETTER_MAX_KEY_BYTES} bytes; null without a key.`),
      key_truncated: z.boolean(),
    }),
    original_base64: z
      .string()
      .nullable()
      .describe(
        'The original message value, cut after the configured number of bytes (see truncated); null for a tombstone.',
      ),
    original_size: z.number().int().min(0).nullable().describe('Byte length of the whole original value.'),
    original_sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable()
      .describe('sha256 (hex) of the whole original value.'),
    truncated: z.boolean().describe('True when original_base64 holds only the first bytes of the original.'),
    model_version: z.string(),
    at: z.iso.datetime(),
  })
  .meta({
    title: DEAD_LETTER_SCHEMA,
    description:
      'An input message that could not be labeled, or a message the review service could not read: why, ' +
      'where it came from, and its bytes (bounded).',
  });

export type DeadLetterEvent = z.output<typeof deadLetterSchema>;

export interface DeadLetterFields {
  reason: DeadLetterReason | (string & {});
  error: { name: string; message: string };
  source: { topic: string; partition: number; offset: string; key: Buffer | Uint8Array | null | undefined };
  original: Buffer | Uint8Array | null | undefined;
  /** Bytes of the original copied into the dead letter (default DEFAULT_DEAD_LETTER_MAX_ORIGINAL_BYTES). */
  maxOriginalBytes?: number;
  modelVersion: string;
  at?: Date;
}

export function buildDeadLetter(fields: DeadLetterFields): DeadLetterEvent {
  const { key, ...source } = fields.source;
  const keyBytes = toBuffer(key);
  const original = toBuffer(fields.original);
  const maxOriginalBytes = fields.maxOriginalBytes ?? DEFAULT_DEAD_LETTER_MAX_ORIGINAL_BYTES;
  return {
    schema: DEAD_LETTER_SCHEMA,
    reason: fields.reason,
    error: { name: fields.error.name, message: fields.error.message.slice(0, MAX_ERROR_MESSAGE_CHARS) },
    source: {
      ...source,
      key_base64: keyBytes?.subarray(0, DEAD_LETTER_MAX_KEY_BYTES).toString('base64') ?? null,
      key_truncated: keyBytes !== null && keyBytes.byteLength > DEAD_LETTER_MAX_KEY_BYTES,
    },
    original_base64: original?.subarray(0, maxOriginalBytes).toString('base64') ?? null,
    original_size: original?.byteLength ?? null,
    original_sha256: original === null ? null : sha256(original),
    truncated: original !== null && original.byteLength > maxOriginalBytes,
    model_version: fields.modelVersion,
    at: (fields.at ?? new Date()).toISOString(),
  };
}

export function encodeDeadLetter(fields: DeadLetterFields): Buffer {
  return Buffer.from(JSON.stringify(buildDeadLetter(fields)), 'utf8');
}

/**
 * The Kafka key of a dead letter: the source key, or `sha256:<hex>` of it when it is longer than
 * DEAD_LETTER_MAX_KEY_BYTES, so that a huge key cannot make the dead letter itself too large.
 */
export function deadLetterKey(key: Buffer | null): Buffer | string | null {
  if (key === null || key.byteLength <= DEAD_LETTER_MAX_KEY_BYTES) return key;
  return `sha256:${sha256(key)}`;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function toBuffer(bytes: Buffer | Uint8Array | null | undefined): Buffer | null {
  if (bytes == null) return null;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
