// CONTRACT STUB (owned by the worker-core helper; replace freely but keep these exported shapes).
export interface MicroBatcherOptions {
  maxItems: number;
  maxTokens: number;
  maxWaitMs: number;
  /** Items accepted but not yet settled; add() waits (backpressure) once this is reached. */
  maxInFlight: number;
}
