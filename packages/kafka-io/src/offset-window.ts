import type { ConsumedRecord } from './records.js';

/** handling → ready → publishing → acked; a failed attempt waits in backoff, then handling or ready again. */
export type EntryState = 'handling' | 'ready' | 'publishing' | 'backoff' | 'acked';

/** One accepted record on its way to being acknowledged. */
export interface WindowEntry<T> {
  readonly record: ConsumedRecord;
  readonly window: PartitionWindow<T>;
  state: EntryState;
  /** Set once handled; kept across publish retries. */
  outputs: T[] | undefined;
  /** Failed attempts so far. */
  failures: number;
}

/**
 * The records of one partition accepted and not yet part of the acknowledged prefix, in offset order.
 * Only that prefix is ever offered for commit: a record acknowledged before an earlier one waits for it.
 */
export class PartitionWindow<T> {
  readonly topic: string;
  readonly partition: number;
  /** False once given up (partition revoked, consumer crashed): nothing of it is published or committed. */
  active = true;
  /** Paused because it is full and blocked by a record in backoff. */
  paused = false;
  highWatermark = 0n;
  #entries: WindowEntry<T>[] = [];
  #head = 0;
  #next: bigint | undefined;
  #prefixEnd: string | undefined;
  #committed: string | undefined;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  /** Records accepted and not yet in the acknowledged prefix. */
  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** The records not accepted yet: a partition fetched again from its committed offset repeats some. */
  unseen(records: ConsumedRecord[]): ConsumedRecord[] {
    const next = this.#next;
    return next === undefined ? records : records.filter((r) => BigInt(r.offset) >= next);
  }

  accept(records: ConsumedRecord[]): WindowEntry<T>[] {
    const entries = records.map((record): WindowEntry<T> => ({
      record,
      window: this,
      state: 'handling',
      outputs: undefined,
      failures: 0,
    }));
    this.#entries.push(...entries);
    const last = records[records.length - 1];
    if (last !== undefined) this.#next = BigInt(last.offset) + 1n;
    return entries;
  }

  /** Marks the entry acknowledged; returns by how many records the acknowledged prefix grew. */
  ack(entry: WindowEntry<T>): number {
    entry.state = 'acked';
    entry.outputs = undefined;
    let grown = 0;
    for (let head = this.#entries[this.#head]; head?.state === 'acked'; head = this.#entries[this.#head]) {
      this.#prefixEnd = (BigInt(head.record.offset) + 1n).toString();
      this.#head++;
      grown++;
    }
    if (this.#head > 64 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return grown;
  }

  /** Some record waits in backoff: the window cannot drain until it succeeds. */
  blocked(): boolean {
    return this.#pending().some((e) => e.state === 'backoff');
  }

  /** Some record is being handled or published (or about to be). */
  busy(): boolean {
    return this.#pending().some((e) => e.state !== 'backoff' && e.state !== 'acked');
  }

  /** The offset to commit, when the acknowledged prefix moved past the last committed one. */
  uncommitted(): string | undefined {
    return this.#prefixEnd === this.#committed ? undefined : this.#prefixEnd;
  }

  committed(offset: string): void {
    if (this.#committed === undefined || BigInt(offset) > BigInt(this.#committed)) this.#committed = offset;
  }

  /** Messages from the oldest one not yet acknowledged to the high watermark. */
  lag(): number {
    const oldest = this.#entries[this.#head]?.record.offset;
    const from = oldest !== undefined ? BigInt(oldest) : (this.#next ?? this.highWatermark);
    const lag = this.highWatermark - from;
    return Number(lag < 0n ? 0n : lag);
  }

  #pending(): WindowEntry<T>[] {
    return this.#entries.slice(this.#head);
  }
}
