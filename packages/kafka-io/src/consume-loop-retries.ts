export type RetryStep = 'handle' | 'publish';

export interface RetryBackoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY_BACKOFF: RetryBackoff = { initialMs: 200, maxMs: 30_000 };

export function backoffDelayMs(attempt: number, backoff: RetryBackoff): number {
  return Math.min(backoff.initialMs * 2 ** Math.min(attempt - 1, 20), backoff.maxMs);
}

export interface FailedGroup<E> {
  step: RetryStep;
  /** The failed attempt's number: 1 for a first failure. */
  attempt: number;
  entries: E[];
  error: unknown;
  delayMs: number;
}

/**
 * Schedules failed entries for another attempt after a backoff. Entries failing at the same step and
 * attempt within one macrotask (e.g. a whole inference batch) form one group: one retry, one report.
 */
export class RetryTimers<E> {
  readonly #backoff: RetryBackoff;
  readonly #scheduled: (group: FailedGroup<E>) => void;
  readonly #due: (step: RetryStep, entries: E[]) => void;
  readonly #timers = new Set<NodeJS.Timeout>();
  #failed = new Map<string, Omit<FailedGroup<E>, 'delayMs'>>();
  #grouping: NodeJS.Immediate | undefined;

  constructor(options: {
    backoff: RetryBackoff;
    /** A group was scheduled (log it, count it). */
    scheduled(group: FailedGroup<E>): void;
    /** A group's backoff is over: attempt it again. */
    due(step: RetryStep, entries: E[]): void;
  }) {
    this.#backoff = options.backoff;
    this.#scheduled = options.scheduled;
    this.#due = options.due;
  }

  failed(entry: E, step: RetryStep, attempt: number, error: unknown): void {
    const key = `${step}:${attempt}`;
    const group = this.#failed.get(key);
    if (group === undefined) this.#failed.set(key, { step, attempt, entries: [entry], error });
    else group.entries.push(entry);
    this.#grouping ??= setImmediate(() => this.#schedule());
  }

  /** Drops every pending retry: those entries stay failed. */
  cancel(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    if (this.#grouping !== undefined) clearImmediate(this.#grouping);
    this.#grouping = undefined;
    this.#failed.clear();
  }

  #schedule(): void {
    this.#grouping = undefined;
    const groups = [...this.#failed.values()];
    this.#failed = new Map();
    for (const group of groups) {
      const delayMs = backoffDelayMs(group.attempt, this.#backoff);
      this.#scheduled({ ...group, delayMs });
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#due(group.step, group.entries);
      }, delayMs);
      this.#timers.add(timer);
    }
  }
}
