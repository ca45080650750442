import { createHash } from 'node:crypto';
import type { MicroBatcher } from '@modstream/batcher';
import type { Classification, TextClassifier } from '@modstream/classifier';
import { encodeShadow, type EventSource, type OutboundMessage } from '@modstream/events';
import type { InferenceJob, InferenceResult } from './inference-batcher.js';

export type ShadowDropReason = 'behind' | 'inference' | 'publish' | 'closed';

export interface ShadowMetrics {
  /** One comment's decision for one label by both models (`primary`/`shadow`: flagged or not). */
  decision(label: string, primary: boolean, shadow: boolean): void;
  published(count: number): void;
  dropped(reason: ShadowDropReason): void;
}

export interface ShadowScorerOptions {
  /** The serving model: its versions go into the shadow events. */
  primary: TextClassifier['info'];
  /** The candidate, with its own sessions. */
  classifier: TextClassifier;
  /** The candidate's own batcher: the shadow never queues behind or ahead of the main path. */
  batcher: MicroBatcher<InferenceJob, InferenceResult>;
  /** Share of comment ids scored (0–1), chosen by a hash of the id so that repeats agree. */
  sampleRate: number;
  topic: string;
  /** Comments in the shadow at once; a comment offered beyond it is dropped (`behind`). */
  maxPending: number;
  /** Publishes shadow events; not part of the main path's acknowledgement or offsets. */
  publish(messages: OutboundMessage[]): Promise<void>;
  metrics?: ShadowMetrics;
}

/** Whether a comment id falls in the sample: the first 32 bits of sha256(id) below rate × 2^32. */
export function inShadowSample(id: string, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return createHash('sha256').update(id).digest().readUInt32BE(0) < rate * 2 ** 32;
}

/**
 * Scores a deterministic sample of labeled comments with a candidate model, on the side: `offer` never
 * waits and never throws, and whatever fails or falls behind in the shadow is dropped and counted.
 */
export class ShadowScorer {
  readonly #options: ShadowScorerOptions;
  readonly #pending = new Set<Promise<void>>();
  #closed = false;

  constructor(options: ShadowScorerOptions) {
    this.#options = options;
  }

  offer(id: string, text: string, source: EventSource, primary: Classification): void {
    const { sampleRate, maxPending, metrics } = this.#options;
    if (!inShadowSample(id, sampleRate)) return;
    if (this.#closed) return metrics?.dropped('closed');
    if (this.#pending.size >= maxPending) return metrics?.dropped('behind');
    const work = this.#score(id, text, source, primary).finally(() => this.#pending.delete(work));
    this.#pending.add(work);
  }

  /** Stops taking comments and waits for those in the shadow. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#pending]);
  }

  async #score(id: string, text: string, source: EventSource, primary: Classification): Promise<void> {
    const { classifier, batcher, metrics } = this.#options;
    let shadow: Classification;
    try {
      const ids = classifier.encode(text);
      shadow = await batcher.submit({ ids, tokens: ids.length, submittedAt: Date.now() });
    } catch {
      return metrics?.dropped('inference');
    }
    const labels = new Set([...Object.keys(primary.scores), ...Object.keys(shadow.scores)]);
    for (const label of labels)
      metrics?.decision(label, primary.labels.includes(label), shadow.labels.includes(label));
    const value = encodeShadow({
      id,
      source,
      primary: this.#verdict(this.#options.primary, primary),
      shadow: this.#verdict(classifier.info, shadow),
    });
    try {
      await this.#options.publish([{ topic: this.#options.topic, key: id, value }]);
      metrics?.published(1);
    } catch {
      metrics?.dropped('publish');
    }
  }

  #verdict(info: TextClassifier['info'], result: Classification) {
    return {
      model_version: info.modelVersion,
      thresholds_version: info.thresholdsVersion,
      labels: result.labels,
      scores: result.scores,
    };
  }
}
