import { once } from 'node:events';
import type { ConsumedRecord } from '@modstream/events';
import { byteLines } from './byte-lines.js';

/** What the transport feeds: the moderation pipeline's `handle`, one output value per JSONL line out. */
export interface RecordHandler {
  handle(records: ConsumedRecord[]): Promise<readonly { value: Buffer }[]>;
}

export interface JsonlTransportOptions {
  /** The records' topic: the input file's name, or "stdin". */
  sourceName: string;
  /** Lines handed to the handler at once. */
  chunkSize: number;
  /** Chunks handled at once; outputs are still written in input order. Default 4. */
  chunksInFlight?: number;
}

/**
 * Reads comments as JSON lines from `input`, hands them to `handler` in chunks (each line a record on
 * partition 0 whose offset is its line number, blank lines skipped) and writes every output value as one
 * line to `output`, in input order. Resolves once the last output is written.
 */
export async function runJsonlTransport(
  handler: RecordHandler,
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  output: NodeJS.WritableStream,
  { sourceName, chunkSize, chunksInFlight = 4 }: JsonlTransportOptions,
): Promise<void> {
  const pending: Promise<Buffer[]>[] = [];
  let chunk: ConsumedRecord[] = [];
  let lineNumber = 0;
  const dispatch = async () => {
    const records = chunk;
    chunk = [];
    pending.push(handler.handle(records).then((outputs) => outputs.map((result) => result.value)));
    while (pending.length >= chunksInFlight) await writeLines(output, await pending.shift()!);
  };
  for await (const line of byteLines(input)) {
    const offset = String(lineNumber++);
    if (line.toString('latin1').trim() === '') continue;
    chunk.push({
      topic: sourceName,
      partition: 0,
      offset,
      key: null,
      value: line,
      headers: {},
      timestamp: Date.now(),
    });
    if (chunk.length >= chunkSize) await dispatch();
  }
  if (chunk.length > 0) await dispatch();
  for (const values of pending.splice(0)) await writeLines(output, await values);
}

async function writeLines(output: NodeJS.WritableStream, values: Buffer[]): Promise<void> {
  if (values.length === 0) return;
  const text = values.map((value) => value.toString('utf8')).join('\n') + '\n';
  if (!output.write(text)) await once(output, 'drain');
}
