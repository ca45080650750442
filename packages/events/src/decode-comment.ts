import { commentSchema, passthroughFields, type Comment } from './comment.js';
import { decodeEvent } from './decode-event.js';

export type DecodeFailureReason =
  'invalid_utf8' | 'invalid_json' | 'schema_violation' | 'empty_text' | 'text_too_large';

export type DecodeResult =
  { ok: true; comment: Comment } | { ok: false; reason: DecodeFailureReason; message: string };

export interface DecodeOptions {
  /** Upper bound on the UTF-8 byte length of `text`. */
  maxTextBytes: number;
  /** Upper bound on the serialised UTF-8 size of the passthrough fields; defaults to maxTextBytes. */
  maxPassthroughBytes?: number;
}

/**
 * Decodes a Kafka message value; never throws, whatever the bytes. Failure messages never contain the
 * comment text, so they are safe to log.
 */
export function decodeComment(
  value: Buffer | Uint8Array | null | undefined,
  options: DecodeOptions,
): DecodeResult {
  const decoded = decodeEvent(value, commentSchema);
  if (!decoded.ok) return decoded;
  const comment = decoded.event;
  try {
    return checkComment(comment, options);
  } catch (error) {
    // e.g. a RangeError from passthrough fields nested too deep for the serialiser's stack.
    const name = error instanceof Error ? error.name : typeof error;
    return fail('schema_violation', `message value cannot be decoded (${name})`);
  }
}

function checkComment(comment: Comment, options: DecodeOptions): DecodeResult {
  if (comment.text.trim().length === 0) return fail('empty_text', 'text is empty or whitespace only');

  const textBytes = Buffer.byteLength(comment.text, 'utf8');
  if (textBytes > options.maxTextBytes) {
    return fail('text_too_large', `text is ${textBytes} bytes, over the limit of ${options.maxTextBytes}`);
  }

  const maxPassthroughBytes = options.maxPassthroughBytes ?? options.maxTextBytes;
  const passthroughBytes = Buffer.byteLength(JSON.stringify(passthroughFields(comment)), 'utf8');
  if (passthroughBytes > maxPassthroughBytes) {
    return fail(
      'schema_violation',
      `fields other than id and text take ${passthroughBytes} bytes, over the limit of ${maxPassthroughBytes}`,
    );
  }

  return { ok: true, comment };
}

function fail(reason: DecodeFailureReason, message: string): DecodeResult {
  return { ok: false, reason, message };
}
