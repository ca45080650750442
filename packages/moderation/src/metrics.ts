import type { CacheOutcome } from '@modstream/label-cache';
import type { OutputKind } from './output-kinds.js';

/**
 * What the pipeline reports; @modstream/telemetry's worker metrics implement it (with more besides).
 * A repeat that shared an inference in flight needed no inference of its own: it is reported as a hit.
 */
export interface PipelineMetrics {
  eventsIn(count: number, topic: string): void;
  eventsOut(kind: OutputKind, count: number): void;
  deadLetter(reason: string): void;
  cache(outcome: CacheOutcome, count: number): void;
  cacheWriteErrors(count: number): void;
  endToEndLatency(ms: number): void;
}

export interface PipelineLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

export interface PipelineStats {
  eventsIn: number;
  labeled: number;
  deadLetters: number;
  review: number;
  cacheHits: number;
  /** Repeats of a text already being classified for another event: they share its inference. */
  sharedInferences: number;
  inferences: number;
}

export function emptyPipelineStats(): PipelineStats {
  return {
    eventsIn: 0,
    labeled: 0,
    deadLetters: 0,
    review: 0,
    cacheHits: 0,
    sharedInferences: 0,
    inferences: 0,
  };
}
