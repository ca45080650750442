import { parsePrometheusText, type Sample } from './prometheus-text.js';

/** The worker's counters and gauges the overview charts, summed over the worker endpoints scraped. */
export interface WorkerTotals {
  eventsIn: number;
  eventsOut: number;
  deadLetters: number;
  cacheHits: number;
  cacheLookups: number;
  /** Messages behind the high watermark, all partitions. */
  consumerLag: number;
}

/** One point of the worker charts: rates over the interval since the previous scrape. */
export interface WorkerPoint {
  /** Seconds since the epoch (uPlot's x unit). */
  t: number;
  eventsInPerSecond: number;
  eventsOutPerSecond: number;
  deadLettersPerSecond: number;
  /** Hits ÷ lookups in the interval; null without lookups. */
  cacheHitRatio: number | null;
  consumerLag: number;
}

/** The worker's metric names as its OpenTelemetry Prometheus exporter writes them (prefix "modstream"). */
const NAMES = {
  eventsIn: 'modstream_events_in',
  eventsOut: 'modstream_events_out',
  deadLetters: 'modstream_dead_letters',
  cache: 'modstream_cache_requests',
  consumerLag: 'modstream_consumer_lag',
};

/** Counters carry `_total` in the exposition; the names above are matched with or without it. */
function base(name: string): string {
  return name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
}

export function workerTotals(samples: readonly Sample[]): WorkerTotals {
  const totals: WorkerTotals = {
    eventsIn: 0,
    eventsOut: 0,
    deadLetters: 0,
    cacheHits: 0,
    cacheLookups: 0,
    consumerLag: 0,
  };
  for (const sample of samples) {
    if (!Number.isFinite(sample.value)) continue;
    switch (base(sample.name)) {
      case NAMES.eventsIn:
        totals.eventsIn += sample.value;
        break;
      case NAMES.eventsOut:
        totals.eventsOut += sample.value;
        break;
      case NAMES.deadLetters:
        totals.deadLetters += sample.value;
        break;
      case NAMES.cache:
        totals.cacheLookups += sample.value;
        if (sample.labels.result === 'hit') totals.cacheHits += sample.value;
        break;
      case NAMES.consumerLag:
        totals.consumerLag += sample.value;
        break;
    }
  }
  return totals;
}

/** The counter's increase; a counter that went down was reset (worker restart): its new value is the increase. */
function increase(previous: number, current: number): number {
  return current >= previous ? current - previous : current;
}

/** Rates between two scrapes `seconds` apart. */
export function workerPoint(
  t: number,
  seconds: number,
  previous: WorkerTotals,
  current: WorkerTotals,
): WorkerPoint {
  const lookups = increase(previous.cacheLookups, current.cacheLookups);
  const hits = increase(previous.cacheHits, current.cacheHits);
  const per = (a: number, b: number) => (seconds > 0 ? increase(a, b) / seconds : 0);
  return {
    t,
    eventsInPerSecond: per(previous.eventsIn, current.eventsIn),
    eventsOutPerSecond: per(previous.eventsOut, current.eventsOut),
    deadLettersPerSecond: per(previous.deadLetters, current.deadLetters),
    cacheHitRatio: lookups > 0 ? Math.min(1, hits / lookups) : null,
    consumerLag: current.consumerLag,
  };
}

export interface WorkerScraperOptions {
  urls: readonly string[];
  intervalMs: number;
  /** Points kept (a ring). */
  history?: number;
  fetch?: typeof fetch;
  now?: () => number;
  onError?: (url: string, error: Error) => void;
}

export interface WorkerScrape {
  configured: boolean;
  /** True when the last scrape of every URL succeeded. */
  up: boolean;
  lastError?: string;
  points: WorkerPoint[];
}

/**
 * Scrapes the worker's /metrics every `intervalMs` (each URL; their totals are summed) and keeps the rates
 * between consecutive scrapes. A failed scrape leaves a gap, never an exception.
 */
export class WorkerMetricsScraper {
  readonly #options: Required<Omit<WorkerScraperOptions, 'onError'>> & Pick<WorkerScraperOptions, 'onError'>;
  readonly #points: WorkerPoint[] = [];
  #previous: { at: number; totals: WorkerTotals } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #up = false;
  #lastError: string | undefined;

  constructor(options: WorkerScraperOptions) {
    this.#options = {
      history: 720,
      fetch: (input, init) => globalThis.fetch(input, init),
      now: Date.now,
      ...options,
    };
  }

  start(): void {
    if (this.#options.urls.length === 0 || this.#timer !== undefined) return;
    const tick = () => {
      this.#running ??= this.scrape().finally(() => (this.#running = undefined));
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

  /** One scrape of every URL; adds a point when the previous scrape succeeded too. */
  async scrape(): Promise<void> {
    const at = this.#options.now();
    const timeoutMs = Math.max(1_000, Math.min(this.#options.intervalMs, 10_000));
    let totals: WorkerTotals | undefined;
    try {
      const texts = await Promise.all(
        this.#options.urls.map(async (url) => {
          try {
            const response = await this.#options.fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
            if (!response.ok) throw new Error(`HTTP ${response.status}`);
            return await response.text();
          } catch (error) {
            this.#options.onError?.(url, error as Error);
            throw new Error(`${url}: ${(error as Error).message}`);
          }
        }),
      );
      const all = texts.map((text) => workerTotals(parsePrometheusText(text)));
      totals = all.reduce((sum, next) => ({
        eventsIn: sum.eventsIn + next.eventsIn,
        eventsOut: sum.eventsOut + next.eventsOut,
        deadLetters: sum.deadLetters + next.deadLetters,
        cacheHits: sum.cacheHits + next.cacheHits,
        cacheLookups: sum.cacheLookups + next.cacheLookups,
        consumerLag: sum.consumerLag + next.consumerLag,
      }));
      this.#up = true;
      this.#lastError = undefined;
    } catch (error) {
      this.#up = false;
      this.#lastError = (error as Error).message;
    }
    if (totals === undefined) {
      this.#previous = undefined;
      return;
    }
    if (this.#previous !== undefined) {
      const seconds = (at - this.#previous.at) / 1000;
      this.#points.push(workerPoint(at / 1000, seconds, this.#previous.totals, totals));
      if (this.#points.length > this.#options.history) this.#points.shift();
    }
    this.#previous = { at, totals };
  }

  snapshot(): WorkerScrape {
    return {
      configured: this.#options.urls.length > 0,
      up: this.#up,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
      points: [...this.#points],
    };
  }
}
