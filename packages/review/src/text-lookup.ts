import { decodeComment, type EventSource } from '@modstream/events';
import { recordAddress, RecordReader, type KafkaClient, type RecordAt } from '@modstream/kafka-io';

/** A comment's text, or `gone`: its input is no longer in the log (deleted, compacted) or no longer decodes. */
export type TextResult = { text: string } | { gone: true };

/** A source to look up; with `id`, a record whose comment id differs (the topic was recreated) is gone too. */
export type TextSource = EventSource & { id?: string };

export interface TextLookupOptions {
  /** Texts (and gone results) kept in memory, least recently used dropped first. */
  maxEntries: number;
  /** Bytes one fetch asks for per partition (see RecordReaderOptions). */
  maxBytesPerFetch?: number;
}

const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** The key of a source in `TextLookup.get`'s result. */
export function sourceKey(source: EventSource): string {
  return recordAddress(source.topic, source.partition, source.offset);
}

/**
 * Fetches comment texts from the input topic by {topic, partition, offset}, batched per call (one fetch per
 * partition and run of offsets), with a bounded LRU cache in memory. Texts are never persisted or logged.
 * Only a broker that cannot be reached makes `get` reject.
 */
export class TextLookup {
  readonly #reader: RecordReader;
  readonly #maxEntries: number;
  readonly #cache = new Map<string, CacheEntry>();
  #hits = 0;
  #misses = 0;

  constructor(client: KafkaClient, options: TextLookupOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 0)
      throw new RangeError('TextLookup: maxEntries must be a whole number ≥ 0');
    this.#maxEntries = options.maxEntries;
    this.#reader = new RecordReader(
      client,
      options.maxBytesPerFetch === undefined ? {} : { maxBytesPerFetch: options.maxBytesPerFetch },
    );
  }

  /** The text of each source, keyed by `sourceKey` (topic:partition:offset). */
  async get(sources: readonly TextSource[]): Promise<Map<string, TextResult>> {
    const result = new Map<string, TextResult>();
    const wanted = new Map<string, TextSource>();
    for (const source of sources) {
      const key = sourceKey(source);
      const cached = this.#cache.get(key);
      if (cached !== undefined) {
        this.#cache.delete(key);
        this.#cache.set(key, cached);
        result.set(key, forSource(cached, source.id));
        this.#hits++;
      } else if (!wanted.has(key)) {
        wanted.set(key, source);
      }
    }
    if (wanted.size === 0) return result;
    this.#misses += wanted.size;

    const read = await this.#reader.read(
      [...wanted.values()].map(({ topic, partition, offset }) => ({ topic, partition, offsets: [offset] })),
    );
    for (const [key, source] of wanted) {
      const entry = toEntry(read.get(key));
      this.#remember(key, entry);
      result.set(key, forSource(entry, source.id));
    }
    return result;
  }

  /** Lookups answered from the cache and those that went to the broker, since the start. */
  stats(): { hits: number; misses: number; entries: number } {
    return { hits: this.#hits, misses: this.#misses, entries: this.#cache.size };
  }

  /** Closes the reader's connections; a later `get` opens them again. */
  async close(): Promise<void> {
    await this.#reader.close();
  }

  #remember(key: string, entry: CacheEntry): void {
    if (this.#maxEntries === 0) return;
    this.#cache.delete(key);
    this.#cache.set(key, entry);
    while (this.#cache.size > this.#maxEntries) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
  }
}

/** A text with the id of its comment, or gone. */
type CacheEntry = { text: string; id: string } | { gone: true };

function toEntry(at: RecordAt | undefined): CacheEntry {
  if (at === undefined || !at.found) return { gone: true };
  const decoded = decodeComment(at.record.value, { maxTextBytes: NO_LIMIT, maxPassthroughBytes: NO_LIMIT });
  if (!decoded.ok) return { gone: true };
  return { text: decoded.comment.text, id: decoded.comment.id };
}

function forSource(entry: CacheEntry, id: string | undefined): TextResult {
  if ('gone' in entry) return entry;
  if (id !== undefined && entry.id !== id) return { gone: true };
  return { text: entry.text };
}
