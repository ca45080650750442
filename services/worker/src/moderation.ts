import type { TextClassifier } from '@modstream/classifier';
import type { LabelCache } from '@modstream/label-cache';
import {
  Pipeline,
  createInferenceBatcher,
  loadRoutingPolicy,
  type PipelineOptions,
} from '@modstream/moderation';
import type { WorkerConfig } from './config.js';

export interface ModerationHooks extends Pick<
  PipelineOptions,
  'metrics' | 'logger' | 'outputHeaders' | 'maxOutputBytes' | 'shadow'
> {
  onBatch?: (size: number, ms: number) => void;
}

/** Routing policy → inference batcher → pipeline, from the worker's config (worker and embedded mode). */
export async function createModeration(
  config: WorkerConfig,
  classifier: TextClassifier,
  cache: LabelCache,
  { onBatch, ...hooks }: ModerationHooks = {},
) {
  const routing = await loadRoutingPolicy(config.routingPolicyFile, classifier.info.labels);
  const batcher = createInferenceBatcher(classifier, {
    ...config.batch,
    concurrency: config.model.sessions,
    onBatch,
  });
  const pipeline = new Pipeline({
    classifier,
    batcher,
    cache,
    routing,
    topics: config.kafka.outputTopics,
    maxTextBytes: config.maxTextBytes,
    maxDeadLetterOriginalBytes: config.dlqMaxOriginalBytes,
    logText: config.logText,
    ...hooks,
  });
  return { routing, batcher, pipeline };
}
