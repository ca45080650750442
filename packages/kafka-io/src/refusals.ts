/** Broker error types that refuse a record for what it is; sending it again cannot succeed. */
const REFUSALS = {
  MESSAGE_TOO_LARGE: 'too_large',
  RECORD_LIST_TOO_LARGE: 'too_large',
  INVALID_RECORD: 'invalid',
  INVALID_TIMESTAMP: 'invalid',
} as const;

export interface RecordRefusal {
  kind: (typeof REFUSALS)[keyof typeof REFUSALS];
  /** The broker's error type, e.g. MESSAGE_TOO_LARGE. */
  type: string;
}

/** The refusal behind a kafkajs error (looked up along its causes by error type), if it is one. */
export function recordRefusal(error: unknown): RecordRefusal | undefined {
  const seen = new Set<unknown>();
  for (let cause = error; cause !== null && typeof cause === 'object' && !seen.has(cause);) {
    seen.add(cause);
    const { type } = cause as { type?: unknown };
    if (typeof type === 'string' && type in REFUSALS)
      return { kind: REFUSALS[type as keyof typeof REFUSALS], type };
    const next = cause as { cause?: unknown; originalError?: unknown };
    cause = next.cause ?? next.originalError;
  }
  return undefined;
}
