import type { IHeaders, KafkaMessage } from 'kafkajs';

/** One consumed Kafka message, detached from kafkajs types. */
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

export function toConsumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: flattenHeaders(message.headers),
    timestamp: Number(message.timestamp),
  };
}

/** Keeps the first value of each header, decoded as UTF-8. */
export function flattenHeaders(headers: IHeaders | undefined): Record<string, string> {
  const flat: Record<string, string> = {};
  if (headers === undefined) return flat;
  for (const [name, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined) flat[name] = value.toString();
  }
  return flat;
}
