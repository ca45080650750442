import {
  buildDecisionEvent,
  DECISIONS,
  encodeDecision,
  type Decision,
  type DecisionEvent,
  type OutboundMessage,
} from '@modstream/events';
import { OutputProducer, type KafkaClient } from '@modstream/kafka-io';
import type { ReviewBoard } from './board.js';

export interface DecisionRequest {
  /** The comment id. */
  id: string;
  decision: Decision | (string & {});
  /** The labels that hold, for relabel; approve and remove take theirs from the decision (none, the flagged). */
  labels?: readonly string[];
  /** The signed-in moderator's user id. */
  moderator: string;
}

export type DecideResult =
  | { status: 'decided'; event: DecisionEvent }
  | { status: 'already_decided'; event: DecisionEvent }
  | { status: 'unknown_comment' }
  | { status: 'invalid'; message: string }
  /** The decision could not be published (the broker is unreachable); nothing was decided, try again. */
  | { status: 'unavailable'; message: string };

export interface DecisionDeskOptions {
  client: KafkaClient;
  decisionsTopic: string;
  board: ReviewBoard;
  /**
   * After publishing, how long to wait for the decision to be read back from the topic (by the board's
   * ReviewFeed), which tells whether another service instance decided first (default 5 s; 0: do not wait).
   * Without an answer in time the decision counts as made.
   */
  confirmTimeoutMs?: number;
  /** Replaces the producer (tests). */
  producer?: { send(messages: readonly OutboundMessage[]): Promise<void> };
  now?: () => Date;
}

/**
 * Validates and publishes moderators' decisions (acks from all in-sync replicas), keyed by comment id.
 * Within one process it is the arbiter of "first decision wins": it claims the comment on the board before
 * publishing, so a second decision on it is answered `already_decided` at once; between processes the
 * order on the decisions topic decides, and the answer follows it where the decision is read back in time.
 */
export class DecisionDesk {
  readonly #options: DecisionDeskOptions;
  readonly #board: ReviewBoard;
  readonly #confirmTimeoutMs: number;
  #producer: OutputProducer | undefined;
  #connecting: Promise<void> | undefined;

  constructor(options: DecisionDeskOptions) {
    this.#options = options;
    this.#board = options.board;
    this.#confirmTimeoutMs = options.confirmTimeoutMs ?? 5_000;
  }

  async decide(request: DecisionRequest): Promise<DecideResult> {
    const problem = requestProblem(request);
    if (problem !== undefined) return { status: 'invalid', message: problem };
    const decided = this.#board.decision(request.id);
    if (decided !== undefined) return { status: 'already_decided', event: decided };
    const item = this.#board.item(request.id);
    if (item === undefined) return { status: 'unknown_comment' };

    const modelLabels = Object.keys(item.scores);
    const known = new Set([...modelLabels, ...item.labels]);
    const wanted = request.labels ?? [];
    const unknown = wanted.filter((label) => !known.has(label));
    if (unknown.length > 0)
      return {
        status: 'invalid',
        message: `not labels of model ${item.modelVersion}: ${unknown.join(', ')}`,
      };
    const decision = request.decision as Decision;
    if (decision === 'relabel' && wanted.length === 0)
      return { status: 'invalid', message: 'relabel needs at least one label' };
    const ticked = new Set(wanted);
    const labels =
      decision === 'approve'
        ? []
        : decision === 'remove'
          ? [...item.labels]
          : [
              ...modelLabels.filter((label) => ticked.has(label)),
              ...wanted.filter((l) => !modelLabels.includes(l)),
            ];

    const event = buildDecisionEvent({
      id: item.id,
      decision,
      labels: [...new Set(labels)],
      flagged_labels: [...item.labels],
      queue: item.queue,
      moderator: request.moderator,
      model_version: item.modelVersion,
      thresholds_version: item.thresholdsVersion,
      source: item.source,
      decided_at: (this.#options.now ?? (() => new Date()))(),
    });
    let value: Buffer;
    try {
      value = encodeDecision(event);
    } catch (error) {
      return { status: 'invalid', message: (error as Error).message };
    }

    if (!this.#board.claim(event))
      return { status: 'already_decided', event: this.#board.decision(event.id)! };
    try {
      await this.#send([{ topic: this.#options.decisionsTopic, key: event.id, value }]);
    } catch (error) {
      this.#board.releaseClaim(event);
      return {
        status: 'unavailable',
        message: `the decision could not be published: ${(error as Error).message}`,
      };
    }

    const onTopic = await this.#board.waitForDecision(event.id, this.#confirmTimeoutMs);
    if (onTopic === undefined || sameDecision(onTopic, event)) return { status: 'decided', event };
    return { status: 'already_decided', event: onTopic };
  }

  /** Disconnects the producer; safe twice. */
  async close(): Promise<void> {
    const producer = this.#producer;
    this.#producer = undefined;
    this.#connecting = undefined;
    await producer?.disconnect();
  }

  async #send(messages: OutboundMessage[]): Promise<void> {
    if (this.#options.producer !== undefined) return this.#options.producer.send(messages);
    if (this.#producer === undefined) {
      const producer = new OutputProducer(this.#options.client, { retries: 3, ackTimeoutMs: 10_000 });
      this.#producer = producer;
      this.#connecting = producer.connect().catch((error: unknown) => {
        if (this.#producer === producer) {
          this.#producer = undefined;
          this.#connecting = undefined;
        }
        throw error;
      });
    }
    const producer = this.#producer;
    await this.#connecting;
    await producer.send(messages);
  }
}

function requestProblem(request: DecisionRequest): string | undefined {
  if (typeof request.id !== 'string' || request.id.length === 0 || request.id.length > 256)
    return 'id must be a comment id (1 to 256 characters)';
  if (!(DECISIONS as readonly string[]).includes(request.decision))
    return `decision must be one of ${DECISIONS.join(', ')}`;
  if (typeof request.moderator !== 'string' || request.moderator.length === 0) return 'moderator is missing';
  if (
    request.labels !== undefined &&
    (!Array.isArray(request.labels) || request.labels.some((l) => typeof l !== 'string'))
  )
    return 'labels must be a list of label names';
  return undefined;
}

function sameDecision(a: DecisionEvent, b: DecisionEvent): boolean {
  return a.moderator === b.moderator && a.decided_at === b.decided_at && a.decision === b.decision;
}
