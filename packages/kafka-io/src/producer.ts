import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import type { OutboundMessage } from './records.js';

export interface OutputProducerOptions {
  /** Retries of a failed send before the error reaches the caller (kafkajs retry with backoff). */
  retries?: number;
  /** Per-request timeout for the broker's acknowledgement, in milliseconds. */
  ackTimeoutMs?: number;
}

/**
 * Publishes with acks=-1 (every in-sync replica) and resolves only once the broker acknowledged
 * every message. Neither transactional nor idempotent: duplicates are possible, losses are not.
 */
export class OutputProducer {
  readonly #producer: Producer;
  readonly #ackTimeoutMs: number;
  #connected = false;

  constructor(kafka: Kafka, options: OutputProducerOptions = {}) {
    this.#producer = kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: false,
      retry: { retries: options.retries ?? 8, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
  }

  async connect(): Promise<void> {
    await this.#producer.connect();
    this.#connected = true;
  }

  async send(messages: readonly OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.#producer.sendBatch({
      acks: -1,
      timeout: this.#ackTimeoutMs,
      topicMessages: groupByTopic(messages),
    });
  }

  async disconnect(): Promise<void> {
    if (!this.#connected) return;
    this.#connected = false;
    await this.#producer.disconnect();
  }
}

function groupByTopic(messages: readonly OutboundMessage[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, key, value, headers } of messages) {
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push({ key, value, headers });
  }
  return [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
}
