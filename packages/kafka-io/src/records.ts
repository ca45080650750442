import type { ConsumedRecord, OutboundMessage } from '@modstream/events';
import type { IHeaders, KafkaMessage } from 'kafkajs';

export type { ConsumedRecord, OutboundMessage };

/** A message to publish, optionally placed on a partition and stamped with a time (tests and tools). */
export interface ProduceMessage extends OutboundMessage {
  /** The partition to write to; chosen from the key when absent. */
  partition?: number;
  /** Milliseconds since the epoch; the producer's clock when absent. */
  timestamp?: number;
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
