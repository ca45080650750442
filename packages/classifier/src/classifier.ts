import { loadBundle } from './bundle.js';
import { InferenceEngine, type SessionOptions } from './engine.js';
import { ClassifierError } from './errors.js';
import type { BundleInfo, Classification, TextClassifier } from './types.js';

export interface LoadClassifierOptions extends SessionOptions {
  /** Check the sha256 of the bundle's files (default true). */
  verify?: boolean;
}

/** A classifier running one ONNX Runtime session in this thread. */
export async function loadClassifier(
  bundleDir: string,
  options: LoadClassifierOptions = {},
): Promise<TextClassifier> {
  const bundle = await loadBundle(bundleDir, { verify: options.verify ?? true });
  return new InProcessClassifier(await InferenceEngine.create(bundle, options));
}

class InProcessClassifier implements TextClassifier {
  readonly info: BundleInfo;
  readonly #engine: InferenceEngine;
  #closed = false;

  constructor(engine: InferenceEngine) {
    this.#engine = engine;
    this.info = engine.bundle.info;
  }

  encode(text: string): number[] {
    return this.#engine.tokenizer.encode(text);
  }

  async classify(texts: readonly string[]): Promise<Classification[]> {
    if (this.#closed) throw new ClassifierError('closed', 'classifier is closed');
    return this.#engine.classify(texts);
  }

  async classifyEncoded(sequences: readonly (readonly number[])[]): Promise<Classification[]> {
    if (this.#closed) throw new ClassifierError('closed', 'classifier is closed');
    return this.#engine.classifyEncoded(sequences);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#engine.release();
  }
}
