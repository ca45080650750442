import {
  UNKNOWN_THRESHOLDS_VERSION,
  type DecisionEvent,
  type EventSource,
  type ReviewEvent,
} from '@modstream/events';
import { PrecisionTracker, type PrecisionRow } from './precision.js';

/** A flagged comment waiting in one review queue. */
export interface QueueItem {
  /** The comment id. */
  id: string;
  queue: string;
  /** Higher is more urgent (the routing policy's 0–100). */
  priority: number;
  /** The labels the model flagged. */
  labels: string[];
  /** The score of every label of the model, in the model's label order. */
  scores: Record<string, number>;
  modelVersion: string;
  /** 'unknown' for review events written before they carried it. */
  thresholdsVersion: string;
  /** Where the comment (and its text) is on the input topic. */
  source: EventSource;
  /** When the review event was written (its Kafka timestamp), ms since the epoch. */
  flaggedAt: number;
}

export interface ReviewBoardOptions {
  /** Queues listed by `queues()` even while empty (the queue topics the service reads). */
  queues?: readonly string[];
}

/**
 * In-memory state of the review queues, fed with review events and decision events (ReviewFeed). The first
 * decision per comment id on the decisions topic wins; a comment decided there leaves every queue.
 *
 * A claim is this process's own decision, published but not yet read back from the decisions topic
 * (DecisionDesk): it hides the comment from the queues at once and makes later deciders in this process
 * see it as decided. Precision counts only decisions read from the topic.
 */
export class ReviewBoard {
  /** Comment id → queue → item, for comments not decided on the topic. */
  readonly #items = new Map<string, Map<string, QueueItem>>();
  /** Queue name → ids of its items. */
  readonly #queues = new Map<string, Set<string>>();
  readonly #decisions = new Map<string, DecisionEvent>();
  readonly #claims = new Map<string, DecisionEvent>();
  readonly #precision = new PrecisionTracker();
  readonly #waiters = new Map<string, Set<(event: DecisionEvent) => void>>();

  constructor(options: ReviewBoardOptions = {}) {
    for (const name of options.queues ?? []) this.#queues.set(name, new Set());
  }

  /**
   * Adds a review event read at `timestampMs`. A comment decided already is not queued again ('decided'); a
   * repeat of a comment already in that queue (redelivery) keeps the first ('duplicate').
   */
  addReview(event: ReviewEvent, timestampMs: number): 'added' | 'duplicate' | 'decided' {
    if (this.#decisions.has(event.id)) return 'decided';
    let byQueue = this.#items.get(event.id);
    if (byQueue?.has(event.queue)) return 'duplicate';
    if (byQueue === undefined) {
      byQueue = new Map();
      this.#items.set(event.id, byQueue);
    }
    byQueue.set(event.queue, {
      id: event.id,
      queue: event.queue,
      priority: event.priority,
      labels: [...event.labels],
      scores: { ...event.scores },
      modelVersion: event.model_version,
      thresholdsVersion: event.thresholds_version ?? UNKNOWN_THRESHOLDS_VERSION,
      source: { ...event.source },
      flaggedAt: timestampMs,
    });
    this.#queueIds(event.queue).add(event.id);
    return 'added';
  }

  /**
   * Adds a decision read from the decisions topic: the first per comment id is applied (the comment leaves
   * every queue, precision counts it); later ones are duplicates and change nothing.
   */
  addDecision(event: DecisionEvent): 'applied' | 'duplicate' {
    if (this.#decisions.has(event.id)) return 'duplicate';
    this.#decisions.set(event.id, event);
    this.#claims.delete(event.id);
    const byQueue = this.#items.get(event.id);
    if (byQueue !== undefined) {
      for (const queue of byQueue.keys()) this.#queues.get(queue)?.delete(event.id);
      this.#items.delete(event.id);
    }
    this.#precision.add(event);
    const waiters = this.#waiters.get(event.id);
    this.#waiters.delete(event.id);
    for (const resolve of waiters ?? []) resolve(event);
    return 'applied';
  }

  /** Claims a comment for this process's decision; false when it is decided or claimed already. */
  claim(event: DecisionEvent): boolean {
    if (this.#decisions.has(event.id) || this.#claims.has(event.id)) return false;
    this.#claims.set(event.id, event);
    return true;
  }

  /** Drops a claim whose decision could not be published: the comment is back in its queues. */
  releaseClaim(event: DecisionEvent): void {
    if (this.#claims.get(event.id) === event) this.#claims.delete(event.id);
  }

  /** Undecided items of a queue, most urgent first, then oldest first. */
  queue(name: string, limit?: number): QueueItem[] {
    const items: QueueItem[] = [];
    for (const id of this.#queues.get(name) ?? []) {
      const item = this.#items.get(id)?.get(name);
      if (item !== undefined && !this.#claims.has(id)) items.push(item);
    }
    items.sort((a, b) => b.priority - a.priority || a.flaggedAt - b.flaggedAt || a.id.localeCompare(b.id));
    return limit === undefined ? items : items.slice(0, Math.max(0, limit));
  }

  /** Every queue seen (or declared), by name, with its number of undecided items. */
  queues(): { name: string; depth: number }[] {
    return [...this.#queues]
      .map(([name, ids]) => {
        let depth = 0;
        for (const id of ids) if (!this.#claims.has(id)) depth++;
        return { name, depth };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The undecided comment's item (its most urgent queue's where it is in several); undefined once decided. */
  item(id: string): QueueItem | undefined {
    let best: QueueItem | undefined;
    for (const item of this.#items.get(id)?.values() ?? [])
      if (best === undefined || item.priority > best.priority) best = item;
    return best;
  }

  /** The winning decision on the comment: read from the topic, else this process's claim. */
  decision(id: string): DecisionEvent | undefined {
    return this.#decisions.get(id) ?? this.#claims.get(id);
  }

  /** The decision read from the decisions topic only (no claim). */
  decisionOnTopic(id: string): DecisionEvent | undefined {
    return this.#decisions.get(id);
  }

  precision(): PrecisionRow[] {
    return this.#precision.precision();
  }

  /** Counts for metrics and readiness. */
  stats(): { undecided: number; decided: number; claimed: number } {
    return { undecided: this.#items.size, decided: this.#decisions.size, claimed: this.#claims.size };
  }

  /**
   * Resolves with the comment's decision once one is read from the topic (at once if it was), or with
   * undefined after `timeoutMs`.
   */
  waitForDecision(id: string, timeoutMs: number): Promise<DecisionEvent | undefined> {
    const known = this.#decisions.get(id);
    if (known !== undefined || timeoutMs <= 0) return Promise.resolve(known);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(id) ?? new Set();
      this.#waiters.set(id, waiters);
      const done = (event: DecisionEvent | undefined) => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.#waiters.get(id) === waiters) this.#waiters.delete(id);
        resolve(event);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      waiters.add(done);
    });
  }

  #queueIds(name: string): Set<string> {
    let ids = this.#queues.get(name);
    if (ids === undefined) {
      ids = new Set();
      this.#queues.set(name, ids);
    }
    return ids;
  }
}
