/** Offsets of one partition (decimal strings, as kafka-io gives them). */
export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

export interface TopicWatermarks {
  topic: string;
  partitions: PartitionOffsets[];
  /** Messages in the log now: sum of high − low. */
  messages: number;
  /** Messages ever written: sum of high. */
  end: number;
}

/** Time series for uPlot: `t` in seconds since the epoch, one array per series aligned with it. */
export interface Series {
  t: number[];
  series: Record<string, (number | null)[]>;
}

export interface OverviewHistoryOptions {
  /** Queue depths now (ReviewBoard.queues()). */
  queues: () => readonly { name: string; depth: number }[];
  /** The topics whose watermarks are charted. */
  topics: readonly string[];
  readWatermarks: (topic: string) => Promise<PartitionOffsets[]>;
  intervalMs: number;
  /** Samples kept per series. */
  history?: number;
  /** Minute buckets of label rates kept. */
  labelMinutes?: number;
  now?: () => number;
  onError?: (topic: string, error: Error) => void;
}

/**
 * What the overview charts beyond the worker's metrics: queue depths and topic end offsets sampled every
 * `intervalMs`, and flagged comments per minute and label from the review events read.
 */
export class OverviewHistory {
  readonly #options: OverviewHistoryOptions;
  readonly #history: number;
  readonly #labelMinutes: number;
  readonly #now: () => number;
  readonly #depths: { t: number; depths: Map<string, number> }[] = [];
  readonly #ends: { t: number; ends: Map<string, number> }[] = [];
  #watermarks: TopicWatermarks[] = [];
  /** Minute (ms since the epoch / 60,000) → label → flagged comments. */
  readonly #labelBuckets = new Map<number, Map<string, number>>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(options: OverviewHistoryOptions) {
    this.#options = options;
    this.#history = options.history ?? 720;
    this.#labelMinutes = options.labelMinutes ?? 180;
    this.#now = options.now ?? Date.now;
  }

  /** Counts one flagged comment per label at its flag time (each comment once: the caller deduplicates). */
  recordFlagged(labels: readonly string[], timestampMs: number): void {
    const minute = Math.floor(timestampMs / 60_000);
    let bucket = this.#labelBuckets.get(minute);
    if (bucket === undefined) {
      const oldest = Math.min(...this.#labelBuckets.keys());
      if (this.#labelBuckets.size >= this.#labelMinutes && minute < oldest) return;
      bucket = new Map();
      this.#labelBuckets.set(minute, bucket);
      while (this.#labelBuckets.size > this.#labelMinutes) {
        this.#labelBuckets.delete(Math.min(...this.#labelBuckets.keys()));
      }
    }
    for (const label of labels) bucket.set(label, (bucket.get(label) ?? 0) + 1);
  }

  start(): void {
    if (this.#timer !== undefined) return;
    const tick = () => {
      this.#running ??= this.sample().finally(() => (this.#running = undefined));
    };
    tick();
    this.#timer = setInterval(tick, this.#options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Samples queue depths and every topic's watermarks once (a topic that fails is left out of this sample). */
  async sample(): Promise<void> {
    const t = this.#now() / 1000;
    this.#push(this.#depths, { t, depths: new Map(this.#options.queues().map((q) => [q.name, q.depth])) });
    const results = await Promise.all(
      this.#options.topics.map(async (topic): Promise<TopicWatermarks | undefined> => {
        try {
          const partitions = await this.#options.readWatermarks(topic);
          return {
            topic,
            partitions,
            messages: partitions.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0),
            end: partitions.reduce((sum, p) => sum + Number(p.high), 0),
          };
        } catch (error) {
          this.#options.onError?.(topic, error as Error);
          return undefined;
        }
      }),
    );
    const read = results.filter((result): result is TopicWatermarks => result !== undefined);
    this.#watermarks = read;
    this.#push(this.#ends, { t, ends: new Map(read.map((topic) => [topic.topic, topic.end])) });
  }

  #push<T>(ring: T[], value: T): void {
    ring.push(value);
    if (ring.length > this.#history) ring.shift();
  }

  queueDepths(): Series {
    const names = [...new Set(this.#depths.flatMap((sample) => [...sample.depths.keys()]))];
    return {
      t: this.#depths.map((sample) => sample.t),
      series: Object.fromEntries(
        names.map((name) => [name, this.#depths.map((sample) => sample.depths.get(name) ?? null)]),
      ),
    };
  }

  /** Messages written per second to each topic, between consecutive samples. */
  topicRates(): Series {
    const topics = [...new Set(this.#ends.flatMap((sample) => [...sample.ends.keys()]))];
    const points = this.#ends.slice(1).map((sample, i) => ({ sample, previous: this.#ends[i]! }));
    return {
      t: points.map(({ sample }) => sample.t),
      series: Object.fromEntries(
        topics.map((topic) => [
          topic,
          points.map(({ sample, previous }) => {
            const now = sample.ends.get(topic);
            const before = previous.ends.get(topic);
            const seconds = sample.t - previous.t;
            if (now === undefined || before === undefined || seconds <= 0 || now < before) return null;
            return (now - before) / seconds;
          }),
        ]),
      ),
    };
  }

  watermarks(): TopicWatermarks[] {
    return this.#watermarks;
  }

  /** Flagged comments per minute and label, oldest minute first, empty minutes included. */
  labelRates(): Series {
    if (this.#labelBuckets.size === 0) return { t: [], series: {} };
    const minutes = [...this.#labelBuckets.keys()];
    const first = Math.min(...minutes);
    const last = Math.max(...minutes);
    const span = Array.from({ length: last - first + 1 }, (_, i) => first + i).slice(-this.#labelMinutes);
    const labels = [
      ...new Set([...this.#labelBuckets.values()].flatMap((bucket) => [...bucket.keys()])),
    ].sort();
    return {
      t: span.map((minute) => minute * 60),
      series: Object.fromEntries(
        labels.map((label) => [label, span.map((minute) => this.#labelBuckets.get(minute)?.get(label) ?? 0)]),
      ),
    };
  }
}
