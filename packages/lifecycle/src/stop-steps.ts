export interface StopStepsLogger {
  error(fields: object, message: string): void;
}

/**
 * Cleanups registered in start order and run in reverse by `run()`: every step runs even if an earlier
 * one failed, and a second `run()` returns the first one's promise.
 */
export class StopSteps {
  readonly #steps: { name: string; run: () => Promise<unknown> }[] = [];
  readonly #logger: StopStepsLogger;
  #running: Promise<void> | undefined;

  constructor(logger: StopStepsLogger) {
    this.#logger = logger;
  }

  add(name: string, run: () => Promise<unknown>): void {
    this.#steps.push({ name, run });
  }

  /** Rejects after all steps ran if any failed, naming them. */
  run(afterStep?: (name: string) => void): Promise<void> {
    this.#running ??= this.#runAll(afterStep);
    return this.#running;
  }

  async #runAll(afterStep?: (name: string) => void): Promise<void> {
    const failed: string[] = [];
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step.run();
        afterStep?.(step.name);
      } catch (error) {
        failed.push(step.name);
        this.#logger.error({ err: error, step: step.name }, 'stop step failed');
      }
    }
    if (failed.length > 0) throw new Error(`stop steps failed: ${failed.join(', ')}`);
  }
}
