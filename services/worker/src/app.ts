import { readFile } from 'node:fs/promises';
import { StopSteps } from '@modstream/lifecycle';
import { ClassifierPool, type TextClassifier } from '@modstream/classifier';
import {
  ConsumeLoop,
  OutputProducer,
  RECORD_OVERHEAD_BYTES,
  REQUEST_OVERHEAD_BYTES,
  createKafkaClient,
  kafkaClientOptions,
  createTopics,
  withAdmin,
  type KafkaClient,
  type KafkaClientOptions,
} from '@modstream/kafka-io';
import { MemoryLabelCache, RedisLabelCache, type LabelCache } from '@modstream/label-cache';
import { routingQueues, topicSettings, type Pipeline, type PipelineOutput } from '@modstream/moderation';
import type { WorkerConfig } from './config.js';
import { HealthServer } from './http-server.js';
import { createModeration } from './moderation.js';
import { startObservability, type Logger, type Observability } from './observability.js';
import { startShadow } from './shadow.js';

const SERVICE_VERSION = '0.1.0';

/** How long start waits for Redis before going on with the cache bypassed (or failing on refused credentials). */
const REDIS_START_WAIT_MS = 3_000;

/**
 * The worker: telemetry → classifier pool → cache → batcher → Kafka consumer/producer → HTTP.
 * `stop()` runs in reverse order, every step even if one fails, and is safe to call twice.
 */
export class WorkerApp {
  readonly #config: WorkerConfig;
  readonly #logger: Logger;
  readonly #stopSteps: StopSteps;
  #classifier: TextClassifier | undefined;
  #pipeline: Pipeline | undefined;
  #cache: LabelCache | undefined;
  #consumer: ConsumeLoop<PipelineOutput> | undefined;
  #httpPort: number | undefined;

  /** Called when the consumer died for good: the process should stop and exit non-zero. */
  onFatal: (error: Error) => void = () => undefined;

  constructor(config: WorkerConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
    this.#stopSteps = new StopSteps(logger);
  }

  get ready(): boolean {
    return this.#classifier !== undefined && this.#consumer?.joined === true;
  }

  get httpPort(): number | undefined {
    return this.#httpPort;
  }

  /** Pipeline counters and the cache's hit, miss and bypass counters. */
  get stats() {
    return { ...this.#pipeline?.stats, cache: this.#cache?.stats() };
  }

  async start(): Promise<void> {
    const config = this.#config;
    const logger = this.#logger;

    const observability = startObservability({ serviceVersion: SERVICE_VERSION, tracing: config.tracing });
    this.#onStop('telemetry', () => observability.shutdown());

    const http = new HealthServer({ ready: () => this.ready, metrics: observability.metricsHandler });
    this.#httpPort = await http.listen(config.httpPort);
    this.#onStop('http server', () => http.close());
    logger.info({ port: this.#httpPort }, 'http server listening');

    const classifier = await ClassifierPool.create(config.model.dir, {
      sessions: config.model.sessions,
      intraOpThreads: config.model.intraOpThreads,
    });
    this.#onStop('classifier pool', () => classifier.close());
    logger.info(
      {
        model: classifier.info.modelId,
        version: classifier.info.modelVersion,
        sessions: config.model.sessions,
        intraOpThreads: config.model.intraOpThreads,
        batch: config.batch,
      },
      'model loaded',
    );

    const cache = await this.#createCache();
    this.#cache = cache;
    this.#onStop('label cache', () => cache.close());

    const metrics = observability.metrics;
    const kafka = createKafkaClient(await this.#kafkaOptions());
    const shadow = await startShadow(config, classifier.info, kafka, metrics.shadow, logger);
    if (shadow !== undefined) this.#onStop('shadow', () => shadow.close());
    const { routing, batcher, pipeline } = await createModeration(config, classifier, cache, {
      shadow: shadow?.scorer,
      metrics,
      logger,
      outputHeaders: observability.outputHeaders,
      onBatch: (size, ms) => metrics.batch(size, ms),
      maxOutputBytes: config.kafka.maxRequestBytes - REQUEST_OVERHEAD_BYTES - RECORD_OVERHEAD_BYTES,
    });
    this.#pipeline = pipeline;

    if (config.kafka.createTopics) {
      const topics = [
        config.kafka.inputTopic,
        ...topicSettings().flatMap(([kind]) =>
          kind === 'shadow' && shadow === undefined ? [] : [config.kafka.outputTopics[kind]],
        ),
        ...routingQueues(routing),
      ];
      await withAdmin(kafka, (admin) =>
        createTopics(
          admin,
          topics.map((topic) => ({ topic, partitions: config.kafka.topicPartitions })),
        ),
      );
      logger.info({ topics }, 'topics ensured');
    }
    const producer = new OutputProducer(kafka, { maxRequestBytes: config.kafka.maxRequestBytes });
    await producer.connect();
    this.#onStop('producer', () => producer.disconnect());
    // After the consumer drained: flushes anything still pending before the producer goes.
    this.#onStop('batcher', () => batcher.close());

    this.#classifier = classifier;
    const consumer = this.#createConsumer(kafka, producer, pipeline, observability);
    this.#consumer = consumer;
    this.#onStop('consumer', () => consumer.stop());
    await consumer.start();
    logger.info(
      {
        group: config.kafka.groupId,
        topic: config.kafka.inputTopic,
        cache: config.redis ? 'redis' : 'memory',
      },
      'consuming',
    );
  }

  /** Reverse order of start; each step runs even if an earlier one failed; safe to call twice. */
  stop(): Promise<void> {
    return this.#stopSteps.run((step) => {
      if (step === 'consumer')
        this.#logger.info({ stats: this.stats }, 'consumer stopped; offsets committed');
    });
  }

  #onStop(name: string, run: () => Promise<unknown>): void {
    this.#stopSteps.add(name, run);
  }

  async #createCache(): Promise<LabelCache> {
    const { redis, cache } = this.#config;
    if (redis === undefined) {
      return new MemoryLabelCache({ maxEntries: cache.memoryEntries, ttlSeconds: cache.ttlSeconds });
    }
    let lastErrorLog = 0;
    const redisCache = new RedisLabelCache({
      redis: redis.url,
      username: redis.username,
      password: redis.password,
      tls: redis.tlsCaFile === undefined ? undefined : { ca: await readFile(redis.tlsCaFile) },
      keyPrefix: cache.keyPrefix,
      ttlSeconds: cache.ttlSeconds,
      commandTimeoutMs: redis.commandTimeoutMs,
      onError: (error) => {
        // Redis being down is not an outage: lookups bypass the cache. One log line a second at most.
        if (Date.now() - lastErrorLog < 1_000) return;
        lastErrorLog = Date.now();
        this.#logger.warn({ err: error }, 'redis unavailable; cache bypassed');
      },
      onReady: () => this.#logger.info({}, 'redis ready; cache in use'),
    });
    // A Redis that is down at start is bypassed like one that fails later; one that refuses the credentials
    // is misconfigured, and the worker stops rather than run without its cache.
    try {
      await redisCache.waitUntilReady(REDIS_START_WAIT_MS);
    } catch (error) {
      await redisCache.close();
      throw error;
    }
    return redisCache;
  }

  async #kafkaOptions(): Promise<KafkaClientOptions> {
    return {
      ...(await kafkaClientOptions(this.#config.kafka)),
      logLevel: 'warn',
      log: ({ level, namespace, message, extra }) => {
        const fields = { namespace, ...extra };
        if (level === 'error') this.#logger.error(fields, message);
        else if (level === 'warn') this.#logger.warn(fields, message);
        else this.#logger.debug(fields, message);
      },
    };
  }

  #createConsumer(
    kafka: KafkaClient,
    producer: OutputProducer,
    pipeline: Pipeline,
    observability: Observability,
  ) {
    const { kafka: config } = this.#config;
    return new ConsumeLoop({
      client: kafka,
      groupId: config.groupId,
      topic: config.inputTopic,
      producer,
      handle: (records) => {
        const each = pipeline.handleEach(records);
        void observability.traceChunk(records, () => Promise.allSettled(each));
        return each;
      },
      replaceRefused: (output, refusal) =>
        pipeline.outputRefused(
          output,
          refusal.kind === 'too_large' ? 'output_too_large' : 'output_rejected',
          `the broker refused it (${refusal.type})`,
        ),
      onRetry: (step) => observability.metrics.chunkRetry(step),
      chunkSize: config.chunkSize,
      partitionsConsumedConcurrently: config.partitionsConcurrently,
      sessionTimeoutMs: config.sessionTimeoutMs,
      logger: this.#logger,
      onLag: (topic, partition, lag) => observability.metrics.consumerLag(topic, partition, lag),
      onFatal: (error) => this.onFatal(error),
    });
  }
}
