import {
  deadLetterKey,
  decodeDecision,
  decodeReview,
  encodeDeadLetter,
  type ConsumedRecord,
  type OutboundMessage,
  type ReviewFailureReason,
} from '@modstream/events';
import type { ReviewBoard } from './board.js';

/** Logs take ids, topics, offsets and reasons only, never comment text. */
export interface ReviewLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface FeedStats {
  reviews: number;
  /** Repeated review events (redelivery) and review events of comments decided already. */
  reviewsSkipped: number;
  decisions: number;
  /** Later decisions on a comment decided already (they change nothing). */
  decisionsDuplicate: number;
  deadLetters: number;
}

export interface FeedIngestOptions {
  board: ReviewBoard;
  decisionsTopic: string;
  deadLetterTopic: string;
  /** Publishes dead letters; resolves once acknowledged. */
  publish(messages: readonly OutboundMessage[]): Promise<void>;
  logger: ReviewLogger;
  /** Bytes of a bad message copied into its dead letter (default: the dead-letter format's default). */
  deadLetterMaxOriginalBytes?: number;
}

/**
 * Turns the records of the queue topics and the decisions topic into board updates. A message that is not
 * a valid event of its topic becomes a dead letter (decision_invalid, review_invalid) and is skipped; the
 * returned promise settles once the dead letter is acknowledged, so the offset is committed only after it.
 */
export class FeedIngest {
  readonly stats: FeedStats = {
    reviews: 0,
    reviewsSkipped: 0,
    decisions: 0,
    decisionsDuplicate: 0,
    deadLetters: 0,
  };
  readonly #options: FeedIngestOptions;

  constructor(options: FeedIngestOptions) {
    this.#options = options;
  }

  async handle(record: ConsumedRecord): Promise<void> {
    const { board } = this.#options;
    if (record.topic === this.#options.decisionsTopic) {
      const decoded = decodeDecision(record.value);
      if (!decoded.ok) return this.#deadLetter(record, 'decision_invalid', 'DecisionDecodeError', decoded);
      if (board.addDecision(decoded.event) === 'applied') this.stats.decisions++;
      else this.stats.decisionsDuplicate++;
      return;
    }
    const decoded = decodeReview(record.value);
    if (!decoded.ok) return this.#deadLetter(record, 'review_invalid', 'ReviewDecodeError', decoded);
    if (board.addReview(decoded.event, record.timestamp) === 'added') this.stats.reviews++;
    else this.stats.reviewsSkipped++;
  }

  async #deadLetter(
    record: ConsumedRecord,
    reason: ReviewFailureReason,
    errorName: string,
    failure: { reason: string; message: string },
  ): Promise<void> {
    const { topic, partition, offset } = record;
    const value = encodeDeadLetter({
      reason,
      error: { name: errorName, message: `${failure.reason}: ${failure.message}` },
      source: { topic, partition, offset, key: record.key },
      original: record.value,
      ...(this.#options.deadLetterMaxOriginalBytes !== undefined
        ? { maxOriginalBytes: this.#options.deadLetterMaxOriginalBytes }
        : {}),
      modelVersion: 'unknown',
    });
    await this.#options.publish([
      { topic: this.#options.deadLetterTopic, key: deadLetterKey(record.key), value },
    ]);
    this.stats.deadLetters++;
    this.#options.logger.warn(
      {
        topic,
        partition,
        offset,
        reason,
        detail: failure.reason,
        dead_letter_topic: this.#options.deadLetterTopic,
      },
      'invalid event dead-lettered and skipped',
    );
  }
}
