import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { StopSteps } from '@modstream/lifecycle';
import {
  createKafkaClient,
  createTopics,
  kafkaClientOptions,
  openAdmin,
  withAdmin,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaClientOptions,
} from '@modstream/kafka-io';
import { DecisionDesk, ReviewBoard, ReviewFeed, TextLookup } from '@modstream/review';
import type { ReviewEvent } from '@modstream/events';
import { createReviewMetrics, createRuntimeMetrics, startTelemetry, type Logger } from '@modstream/telemetry';
import { loadAssets } from './assets.js';
import type { ReviewConfig } from './config.js';
import { OverviewHistory } from './overview-history.js';
import { createReviewServer } from './server.js';
import { SessionStore } from './sessions.js';
import { UserDirectory } from './users.js';
import { WorkerMetricsScraper } from './worker-metrics.js';

export const SERVICE_VERSION = '0.1.0';

/** A board that also counts each newly flagged comment, per label and minute, for the overview's label rates. */
class ObservedBoard extends ReviewBoard {
  constructor(
    readonly history: { recordFlagged(labels: readonly string[], timestampMs: number): void },
    queues: readonly string[],
  ) {
    super({ queues });
  }

  override addReview(event: ReviewEvent, timestampMs: number): ReturnType<ReviewBoard['addReview']> {
    const seen = this.item(event.id) !== undefined || this.decision(event.id) !== undefined;
    const result = super.addReview(event, timestampMs);
    if (!seen) this.history.recordFlagged(event.labels, timestampMs);
    return result;
  }
}

/**
 * The review service: telemetry → Kafka client (topics) → board, desk and text lookup → HTTP → feed →
 * samplers. `stop()` runs in reverse, every step even if one fails, and is safe to call twice.
 */
export class ReviewApp {
  readonly #config: ReviewConfig;
  readonly #logger: Logger;
  readonly #stopSteps: StopSteps;
  readonly groupId: string;
  #feed: ReviewFeed | undefined;
  #httpPort: number | undefined;

  constructor(config: ReviewConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
    this.#stopSteps = new StopSteps(logger);
    // Every instance reads every queue and decision, so each has a group of its own.
    this.groupId = `${config.groupIdPrefix}.${hostname()}.${randomUUID().slice(0, 8)}`;
  }

  get ready(): boolean {
    return this.#feed?.caughtUp() === true;
  }

  get httpPort(): number | undefined {
    return this.#httpPort;
  }

  async start(): Promise<void> {
    const config = this.#config;
    const logger = this.#logger;

    const telemetry = startTelemetry({
      serviceName: 'modstream-review',
      serviceVersion: SERVICE_VERSION,
      enableTracing: false,
    });
    const runtime = createRuntimeMetrics(telemetry.meter);
    this.#stopSteps.add('telemetry', async () => {
      runtime.stop();
      await telemetry.shutdown();
    });

    const kafka = createKafkaClient(await this.#kafkaOptions());
    if (config.createTopics) {
      const topics = [...config.queueTopics, config.decisionsTopic, config.deadLetterTopic];
      await withAdmin(kafka, (admin) =>
        createTopics(
          admin,
          topics.map((topic) => ({ topic, partitions: config.topicPartitions })),
        ),
      );
      logger.info({ topics }, 'topics ensured');
    }

    const topics = [...config.queueTopics, config.decisionsTopic, config.deadLetterTopic];
    const watermarks = new WatermarkReader(kafka);
    this.#stopSteps.add('admin', () => watermarks.close());
    const history: OverviewHistory = new OverviewHistory({
      queues: () => board.queues(),
      topics,
      readWatermarks: (topic) => watermarks.read(topic),
      intervalMs: config.scrapeIntervalMs,
      onError: (topic, error) => logger.debug({ topic, err: error }, 'watermarks unavailable'),
    });
    const board: ObservedBoard = new ObservedBoard(history, config.queueTopics);
    const desk = new DecisionDesk({ client: kafka, decisionsTopic: config.decisionsTopic, board });
    this.#stopSteps.add('decision producer', () => desk.close());
    const texts = new TextLookup(kafka, { maxEntries: config.textCacheEntries });
    this.#stopSteps.add('text lookup', () => texts.close());
    const scraper = new WorkerMetricsScraper({
      urls: config.workerMetricsUrls,
      intervalMs: config.scrapeIntervalMs,
      onError: (url, error) => logger.debug({ url, err: error }, 'worker metrics unavailable'),
    });
    const metrics = createReviewMetrics(telemetry.meter, {
      queues: () => board.queues(),
      precision: () => board.precision(),
    });

    const sessions = new SessionStore({
      idleMs: config.http.sessionIdleMs,
      maxAgeMs: config.http.sessionMaxMs,
    });
    const sweep = setInterval(() => sessions.sweep(), 60_000);
    sweep.unref();
    this.#stopSteps.add('session sweep', async () => clearInterval(sweep));

    const server = await createReviewServer({
      board,
      precision: () => board.precision(),
      desk,
      texts,
      users: new UserDirectory(config.users),
      sessions,
      queueTopics: config.queueTopics,
      queuePageSize: config.queuePageSize,
      cookieSecure: config.http.cookieSecure,
      assets: await loadAssets(),
      logger,
      ready: () => this.ready,
      metricsHandler: (request, response) => telemetry.metricsHandler(request, response),
      onDecision: (decision, outcome) => metrics.decision(decision, outcome),
      overview: () => ({
        worker: scraper.snapshot(),
        queueDepths: history.queueDepths(),
        labelRates: history.labelRates(),
        topicRates: history.topicRates(),
        watermarks: history.watermarks(),
        textCache: texts.stats(),
      }),
      workerMetricsConfigured: config.workerMetricsUrls.length > 0,
    });
    await server.listen({ port: config.http.port, host: '0.0.0.0' });
    const address = server.server.address();
    this.#httpPort = typeof address === 'object' && address !== null ? address.port : config.http.port;
    this.#stopSteps.add('http server', () => server.close());
    logger.info({ port: this.#httpPort, users: config.users.length }, 'http server listening');

    const feed = new ReviewFeed({
      client: kafka,
      queueTopics: config.queueTopics,
      decisionsTopic: config.decisionsTopic,
      deadLetterTopic: config.deadLetterTopic,
      board,
      logger,
      groupId: this.groupId,
    });
    this.#feed = feed;
    // The feed deletes its group on stop: it only ever served this instance.
    this.#stopSteps.add('feed', () => feed.stop());
    await feed.start();
    logger.info(
      { group: this.groupId, queues: config.queueTopics, decisions: config.decisionsTopic },
      'reading',
    );

    scraper.start();
    this.#stopSteps.add('worker metrics', () => scraper.stop());
    history.start();
    this.#stopSteps.add('overview sampling', () => history.stop());
  }

  /** Reverse order of start; each step runs even if an earlier one failed; safe to call twice. */
  stop(): Promise<void> {
    return this.#stopSteps.run();
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
}

/** One admin session kept for the overview's watermark samples; reopened after a failure. */
class WatermarkReader {
  readonly #client: KafkaClient;
  #admin: Promise<KafkaAdmin> | undefined;

  constructor(client: KafkaClient) {
    this.#client = client;
  }

  async read(topic: string) {
    this.#admin ??= openAdmin(this.#client);
    const admin = this.#admin;
    try {
      return await (await admin).watermarks(topic);
    } catch (error) {
      if (this.#admin === admin) this.#admin = undefined;
      await (await admin.catch(() => undefined))?.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    await (await admin?.catch(() => undefined))?.disconnect();
  }
}
