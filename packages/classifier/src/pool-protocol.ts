import type { SessionOptions } from './engine.js';
import type { Classification } from './types.js';

export interface PoolWorkerData {
  bundleDir: string;
  session: SessionOptions;
}

/** Texts, or token id sequences the caller already encoded with the same tokenizer. */
export type ClassifyInput = { texts: readonly string[] } | { sequences: readonly (readonly number[])[] };

export type ToWorker = ({ type: 'classify'; id: number } & ClassifyInput) | { type: 'close' };

export interface SerializedError {
  name: string;
  message: string;
  kind?: string;
  file?: string;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'init_error'; error: SerializedError }
  | { type: 'result'; id: number; results: Classification[] }
  | { type: 'error'; id: number; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { kind, file } = error as { kind?: unknown; file?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(typeof kind === 'string' ? { kind } : {}),
    ...(typeof file === 'string' ? { file } : {}),
  };
}
