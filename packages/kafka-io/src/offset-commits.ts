import type { TopicPartitionOffset } from './consumer-port.js';
import type { PartitionWindow } from './offset-window.js';

export interface OffsetCommitsOptions {
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  windows(): Iterable<PartitionWindow<unknown>>;
  /** Commit once this many records were acknowledged since the last commit (1: after every acknowledgement). */
  everyOffsets: number;
  /** ... and at least this often while some are waiting. */
  intervalMs: number;
  onError(error: unknown): void;
}

/**
 * Commits the acknowledged prefixes of the partition windows, one commit request at a time (a later
 * commit never overtakes an earlier one); what is acknowledged meanwhile goes into the next request.
 */
export class OffsetCommits {
  readonly #options: OffsetCommitsOptions;
  #acknowledged = 0;
  #again = false;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: OffsetCommitsOptions) {
    this.#options = options;
  }

  /** `records` more records joined an acknowledged prefix. */
  acknowledged(records: number): void {
    this.#acknowledged += records;
    if (this.#acknowledged >= this.#options.everyOffsets) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#options.intervalMs);
  }

  /** Commits everything acknowledged so far; resolves when done (errors go to `onError`). */
  flush(): Promise<void> {
    this.#again = true;
    this.#running ??= this.#commitWhileDue().finally(() => (this.#running = undefined));
    return this.#running;
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #commitWhileDue(): Promise<void> {
    while (this.#again) {
      this.#again = false;
      this.close();
      const due = [...this.#options.windows()].flatMap((window) => {
        const offset = window.uncommitted();
        return offset === undefined ? [] : [{ window, offset }];
      });
      const counted = this.#acknowledged;
      if (due.length === 0) {
        this.#acknowledged -= counted;
        continue;
      }
      try {
        await this.#options.commit(
          due.map(({ window, offset }) => ({ topic: window.topic, partition: window.partition, offset })),
        );
        for (const { window, offset } of due) window.committed(offset);
        this.#acknowledged -= counted;
      } catch (error) {
        this.#options.onError(error);
        // Tried again with the next acknowledgement, or after the interval.
        this.#timer ??= setTimeout(() => void this.flush(), this.#options.intervalMs);
        return;
      }
    }
  }
}
