import type { z } from 'zod';

/** Why an event (a message this project writes: review, decision) could not be decoded. */
export type EventDecodeFailureReason = 'invalid_utf8' | 'invalid_json' | 'schema_violation';

export interface EventDecodeFailure {
  ok: false;
  reason: EventDecodeFailureReason;
  message: string;
}

export type EventDecodeResult<T> = { ok: true; event: T } | EventDecodeFailure;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Decodes a message value as JSON checked by `schema`; never throws, whatever the bytes. Failure messages
 * name fields and bounds, never the values, so they are safe to log.
 */
export function decodeEvent<S extends z.ZodType>(
  value: Buffer | Uint8Array | null | undefined,
  schema: S,
): EventDecodeResult<z.output<S>> {
  try {
    if (value == null) return fail('schema_violation', 'message value is null (tombstone)');
    let json: string;
    try {
      json = utf8.decode(value);
    } catch {
      return fail('invalid_utf8', `message value (${value.byteLength} bytes) is not valid UTF-8`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      // The parser's own message can quote the input, so it is not passed on.
      return fail('invalid_json', `message value (${value.byteLength} bytes) is not valid JSON`);
    }
    const result = schema.safeParse(parsed);
    if (!result.success) return fail('schema_violation', describeIssues(result.error.issues));
    return { ok: true, event: result.data };
  } catch (error) {
    // e.g. a RangeError from input nested too deep for the parser.
    const name = error instanceof Error ? error.name : typeof error;
    return fail('schema_violation', `message value cannot be decoded (${name})`);
  }
}

function fail(reason: EventDecodeFailureReason, message: string): EventDecodeFailure {
  return { ok: false, reason, message };
}

const MAX_LISTED_ISSUES = 5;

/** zod issue messages name the expected type or bound, never the received value. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  const more = issues.length > MAX_LISTED_ISSUES ? ` (+${issues.length - MAX_LISTED_ISSUES} more)` : '';
  return `schema violation: ${listed.join('; ')}${more}`;
}
