import { ClassifierPool, type BundleInfo } from '@modstream/classifier';
import { OutputProducer, type KafkaClient } from '@modstream/kafka-io';
import { ShadowScorer, createInferenceBatcher } from '@modstream/moderation';
import type { WorkerConfig } from './config.js';
import type { Logger, WorkerMetrics } from './observability.js';

export interface Shadow {
  scorer: ShadowScorer;
  info: BundleInfo;
  close(): Promise<void>;
}

/**
 * The candidate model on the side: its own sessions, batcher and producer (no retries), so it can neither
 * slow nor fail the main path. A bundle that does not load, or a producer that does not connect, is logged
 * and counted, and the worker runs without a shadow.
 */
export async function startShadow(
  config: WorkerConfig,
  primary: BundleInfo,
  kafka: KafkaClient,
  metrics: WorkerMetrics['shadow'],
  logger: Logger,
): Promise<Shadow | undefined> {
  const options = config.shadow;
  if (options === undefined) return undefined;
  let classifier: ClassifierPool;
  try {
    classifier = await ClassifierPool.create(options.dir, {
      sessions: options.sessions,
      intraOpThreads: 1,
    });
  } catch (error) {
    logger.error({ err: error, dir: options.dir }, 'shadow model failed to load; running without a shadow');
    metrics.active(false);
    return undefined;
  }
  const producer = new OutputProducer(kafka, { retries: 0, maxRequestBytes: config.kafka.maxRequestBytes });
  try {
    await producer.connect();
  } catch (error) {
    logger.error({ err: error }, 'shadow producer failed to connect; running without a shadow');
    await classifier.close();
    metrics.active(false);
    return undefined;
  }
  const batcher = createInferenceBatcher(classifier, {
    ...config.batch,
    maxWaitMs: options.batchMaxWaitMs,
    maxInFlight: options.maxPending,
    concurrency: options.sessions,
  });
  const scorer = new ShadowScorer({
    primary,
    classifier,
    batcher,
    sampleRate: options.sampleRate,
    topic: options.topic,
    maxPending: options.maxPending,
    publish: (messages) => producer.send(messages),
    metrics,
  });
  metrics.active(true);
  logger.info(
    { model: classifier.info.modelId, version: classifier.info.modelVersion, sampleRate: options.sampleRate },
    'shadow model loaded',
  );
  return {
    scorer,
    info: classifier.info,
    close: async () => {
      await scorer.close();
      await Promise.allSettled([batcher.close(), producer.disconnect()]);
      await classifier.close();
    },
  };
}
