import type { Message, Producer, TopicMessages } from 'kafkajs';
import { messageBytes } from '@modstream/events';
import { kafkajsOf, type KafkaClient } from './client.js';
import type { OutboundMessage, ProduceMessage } from './records.js';
import { recordRefusal, type RecordRefusal } from './refusals.js';

/** Below Kafka's 1 MB default (message.max.bytes), with room for the request's own framing. */
export const DEFAULT_MAX_REQUEST_BYTES = 900_000;
/** Framing the size estimate adds per record (record header, varints, timestamps). */
export const RECORD_OVERHEAD_BYTES = 64;
/** Framing the size estimate adds per request (request header, topic and partition, record batch header). */
export const REQUEST_OVERHEAD_BYTES = 1_024;

export interface OutputProducerOptions {
  /** Retries of a failed send (with backoff) before the error reaches the caller. */
  retries?: number;
  /** Per-request timeout for the broker's acknowledgement, in milliseconds. */
  ackTimeoutMs?: number;
  /** Produce requests are split so that none is estimated above this many bytes. */
  maxRequestBytes?: number;
}

/** Replaces a message the broker refused (too large, invalid) with one it will take, e.g. a dead letter. */
export type ReplaceRefused<T extends OutboundMessage> = (
  message: T,
  refusal: RecordRefusal,
) => OutboundMessage;

/**
 * Publishes with acks=-1 (every in-sync replica) and resolves only once the broker acknowledged
 * every message. Neither transactional nor idempotent: duplicates are possible, losses are not.
 */
export class OutputProducer {
  readonly #producer: Producer;
  readonly #ackTimeoutMs: number;
  readonly #maxRequestBytes: number;
  #connected = false;

  constructor(client: KafkaClient, options: OutputProducerOptions = {}) {
    this.#producer = kafkajsOf(client).producer({
      allowAutoTopicCreation: false,
      idempotent: false,
      retry: { retries: options.retries ?? 8, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
    this.#maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  }

  async connect(): Promise<void> {
    await this.#producer.connect();
    this.#connected = true;
  }

  /**
   * Sends in input order, in requests that fit `maxRequestBytes`. With `replaceRefused`, a message the
   * broker refuses for itself (too large, invalid record) is replaced instead of failing the send; a
   * refused replacement, like any other error, is thrown. A `ProduceMessage`'s partition and timestamp are kept.
   */
  async send<T extends OutboundMessage>(
    messages: readonly T[],
    replaceRefused?: ReplaceRefused<T>,
  ): Promise<void> {
    for (const request of splitRequests(messages, this.#maxRequestBytes))
      await this.#sendRequest(request, replaceRefused);
  }

  async disconnect(): Promise<void> {
    if (!this.#connected) return;
    this.#connected = false;
    await this.#producer.disconnect();
  }

  async #sendRequest<T extends OutboundMessage>(request: T[], replaceRefused?: ReplaceRefused<T>) {
    try {
      await this.#sendBatch(request);
    } catch (error) {
      const refusal = recordRefusal(error);
      if (refusal === undefined || replaceRefused === undefined) throw error;
      // Which message was refused is not reported: narrow down one message at a time. Those the broker
      // had already appended before the refusal can be repeated (at-least-once).
      const [only] = request;
      if (request.length > 1 || only === undefined) {
        for (const message of request) await this.#sendRequest([message], replaceRefused);
        return;
      }
      await this.#sendBatch([replaceRefused(only, refusal)]);
    }
  }

  async #sendBatch(messages: readonly ProduceMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.#producer.sendBatch({
      acks: -1,
      timeout: this.#ackTimeoutMs,
      topicMessages: groupByTopic(messages),
    });
  }
}

/** A message as it goes on the wire: a tombstone has no value. */
export type WireMessage = Omit<ProduceMessage, 'value'> & { value: Buffer | null };

/** Estimated bytes one message takes in a produce request. */
export function estimateMessageBytes(message: OutboundMessage): number {
  return RECORD_OVERHEAD_BYTES + messageBytes(message);
}

/** Consecutive runs of messages that fit one request each; a message too large alone is a request alone. */
export function splitRequests<T extends OutboundMessage>(
  messages: readonly T[],
  maxRequestBytes: number,
): T[][] {
  return splitBySize(messages, maxRequestBytes, estimateMessageBytes);
}

/** Consecutive runs of messages that fit one request each, by the given size estimate. */
export function splitBySize<T>(
  messages: readonly T[],
  maxRequestBytes: number,
  size: (message: T) => number,
): T[][] {
  const requests: T[][] = [];
  let current: T[] = [];
  let bytes = REQUEST_OVERHEAD_BYTES;
  for (const message of messages) {
    const bytesOf = size(message);
    if (current.length > 0 && bytes + bytesOf > maxRequestBytes) {
      requests.push(current);
      current = [];
      bytes = REQUEST_OVERHEAD_BYTES;
    }
    current.push(message);
    bytes += bytesOf;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

export function groupByTopic(messages: readonly WireMessage[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, key, value, headers, partition, timestamp } of messages) {
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push({
      key,
      value,
      headers,
      ...(typeof partition === 'number' ? { partition } : {}),
      ...(typeof timestamp === 'number' ? { timestamp: String(timestamp) } : {}),
    });
  }
  return [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
}
