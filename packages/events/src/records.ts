/** One consumed message, detached from any Kafka client's types. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  /** Decimal string: Kafka offsets can exceed 2^53. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Milliseconds since the epoch, as set by the producer or broker. */
  timestamp: number;
}

/** A message to publish; the key is the comment id (or the source key for dead letters). */
export interface OutboundMessage {
  topic: string;
  key: string | Buffer | null;
  value: Buffer;
  headers?: Record<string, string>;
}

/** Key, value and header bytes of a message (what the broker's size limits count, less its framing). */
export function messageBytes({ key, value, headers }: OutboundMessage): number {
  let bytes = value.byteLength + (key === null ? 0 : Buffer.byteLength(key));
  for (const [name, header] of Object.entries(headers ?? {}))
    bytes += Buffer.byteLength(name) + Buffer.byteLength(header);
  return bytes;
}
