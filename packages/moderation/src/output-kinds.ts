import type { BundleInfo } from '@modstream/classifier';
import {
  DEAD_LETTER_SCHEMA,
  LABELED_SCHEMA,
  REVIEW_SCHEMA,
  SHADOW_SCHEMA,
  encodeLabeled,
  encodeReview,
  type Comment,
  type ConsumedRecord,
  type EventSource,
} from '@modstream/events';
import { route, type RoutingPolicy } from './routing.js';

/** A comment whose scores were resolved and whose labels the thresholds in force decided. */
export interface ClassifiedComment {
  record: ConsumedRecord;
  comment: Comment;
  source: EventSource;
  passthrough: Record<string, unknown>;
  scores: Record<string, number>;
  labels: string[];
  cacheHit: boolean;
  queuedMs: number;
  inferenceMs: number;
  /** When the pipeline received the comment's chunk (ms since the epoch). */
  receivedAt: number;
}

/** A setting that names one topic: its environment variable, default, and the Helm value that sets it. */
export interface TopicSetting {
  env: string;
  default: string;
  /** Absent for a setting the chart leaves to `extraEnv`. */
  chartValue?: string;
}

export interface OutputContext {
  info: BundleInfo;
  routing: RoutingPolicy;
  /** The topic its setting names (empty for kinds routed by the routing policy). */
  topic: string;
  now: number;
}

export interface BuiltOutput {
  topic: string;
  key: string;
  value: Buffer;
}

export interface OutputKindSpec {
  /** The `schema` field of its events and the title of its JSON Schema (@modstream/events). */
  schema: string;
  /** Its topic setting, or 'routing-policy' when the routing policy's queues name its topics. */
  topic: TopicSetting | 'routing-policy';
  /**
   * Its encoded events for one classified comment. Kinds without one are published elsewhere: dead letters
   * for failed records, shadow events by the ShadowScorer.
   */
  build?(comment: ClassifiedComment, context: OutputContext): BuiltOutput[];
}

/**
 * Every kind of event the worker publishes, declared once. The key is the output's `kind` and the `kind`
 * attribute of the events_out metric; the worker's config, topic creation and the Helm chart's topic
 * settings (`pnpm gen:chart`) are derived from it, and the pipeline builds every kind that has `build`.
 */
export const OUTPUT_KINDS = {
  labeled: {
    schema: LABELED_SCHEMA,
    topic: { env: 'MODSTREAM_OUTPUT_TOPIC', default: 'comments.labeled', chartValue: 'kafka.outputTopic' },
    build: (c, { info, topic, now }) => [
      {
        topic,
        key: c.comment.id,
        value: encodeLabeled({
          id: c.comment.id,
          labels: c.labels,
          scores: c.scores,
          model_version: info.modelVersion,
          thresholds_version: info.thresholdsVersion,
          cache_hit: c.cacheHit,
          source: c.source,
          timings: { queued_ms: c.queuedMs, inference_ms: c.inferenceMs, total_ms: now - c.receivedAt },
          produced_at: new Date(now).toISOString(),
          passthrough: c.passthrough,
        }),
      },
    ],
  },
  review: {
    schema: REVIEW_SCHEMA,
    topic: 'routing-policy',
    build: (c, { info, routing }) =>
      route(routing, c.labels, c.scores).map(({ queue, priority }) => ({
        topic: queue,
        key: c.comment.id,
        value: encodeReview({
          id: c.comment.id,
          queue,
          priority,
          labels: c.labels,
          scores: c.scores,
          model_version: info.modelVersion,
          thresholds_version: info.thresholdsVersion,
          source: c.source,
          passthrough: c.passthrough,
        }),
      })),
  },
  dead_letter: {
    schema: DEAD_LETTER_SCHEMA,
    topic: { env: 'MODSTREAM_DLQ_TOPIC', default: 'comments.dlq', chartValue: 'kafka.dlqTopic' },
  },
  shadow: {
    schema: SHADOW_SCHEMA,
    topic: { env: 'MODSTREAM_SHADOW_TOPIC', default: 'comments.shadow' },
  },
} as const satisfies Record<string, OutputKindSpec>;

export type OutputKind = keyof typeof OUTPUT_KINDS;

/** Kinds whose topic is one setting. */
export type TopicKind = {
  [K in OutputKind]: (typeof OUTPUT_KINDS)[K]['topic'] extends TopicSetting ? K : never;
}[OutputKind];

export type OutputTopics = Record<TopicKind, string>;

export const OUTPUT_KIND_NAMES = Object.keys(OUTPUT_KINDS) as OutputKind[];

/** The kinds with a topic setting, with it. */
export function topicSettings(): [TopicKind, TopicSetting][] {
  return OUTPUT_KIND_NAMES.flatMap((kind) => {
    const { topic } = OUTPUT_KINDS[kind] as OutputKindSpec;
    return topic === 'routing-policy' ? [] : [[kind as TopicKind, topic]];
  });
}

/** Every topic setting at its default. */
export function defaultOutputTopics(): OutputTopics {
  return Object.fromEntries(
    topicSettings().map(([kind, setting]) => [kind, setting.default]),
  ) as OutputTopics;
}

/** The kinds the pipeline builds for every classified comment, in publishing order. */
export const BUILT_KINDS = OUTPUT_KIND_NAMES.filter(
  (kind) => (OUTPUT_KINDS[kind] as OutputKindSpec).build !== undefined,
);
