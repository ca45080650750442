import * as ort from 'onnxruntime-node';
import type { Bundle } from './bundle.js';
import { BundleError } from './errors.js';
import { padBatch } from './padding.js';
import { classifyLogits } from './thresholds.js';
import { BundleTokenizer } from './tokenizer.js';
import type { Classification } from './types.js';

export interface SessionOptions {
  /** Threads ONNX Runtime uses inside one operator (default 1). */
  intraOpThreads?: number;
  /** Threads ONNX Runtime uses across operators (default 1; sequential execution uses one). */
  interOpThreads?: number;
}

/**
 * One tokenizer and one ONNX Runtime session over a bundle: texts in, classifications out. A call runs its
 * texts as one batch, padded to the longest; which texts go together is the caller's choice (the worker's
 * come length-bucketed from @modstream/batcher).
 */
export class InferenceEngine {
  readonly bundle: Bundle;
  readonly tokenizer: BundleTokenizer;
  readonly #session: ort.InferenceSession;
  #released = false;

  private constructor(bundle: Bundle, session: ort.InferenceSession) {
    this.bundle = bundle;
    this.tokenizer = createTokenizer(bundle);
    this.#session = session;
  }

  static async create(bundle: Bundle, options: SessionOptions = {}): Promise<InferenceEngine> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bundle.modelPath, {
        intraOpNumThreads: options.intraOpThreads ?? 1,
        interOpNumThreads: options.interOpThreads ?? 1,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        logSeverityLevel: 3,
      });
    } catch (cause) {
      throw new BundleError('model_invalid', `cannot load model.onnx: ${(cause as Error).message}`, {
        file: 'model.onnx',
        cause,
      });
    }
    try {
      checkSignature(bundle, session);
      return new InferenceEngine(bundle, session);
    } catch (error) {
      await session.release();
      throw error;
    }
  }

  encode(texts: readonly string[]): number[][] {
    return texts.map((text) => this.tokenizer.encode(text));
  }

  classify(texts: readonly string[]): Promise<Classification[]> {
    return this.classifyEncoded(this.encode(texts));
  }

  /** Classifies token id sequences in one model run; results in input order. */
  async classifyEncoded(encoded: readonly (readonly number[])[]): Promise<Classification[]> {
    const { labels, thresholds } = this.bundle.info;
    const logits = await this.runLogits(encoded);
    return encoded.map((_, row) =>
      classifyLogits(logits.subarray(row * labels.length, (row + 1) * labels.length), labels, thresholds),
    );
  }

  /** One model run over token ids padded to the longest; logits row-major [batch, labels]. */
  async runLogits(sequences: readonly (readonly number[])[]): Promise<Float32Array> {
    const { manifest } = this.bundle;
    if (sequences.length === 0) return new Float32Array(0);
    const batch = padBatch(sequences, manifest.pad_token_id, this.bundle.inputs.includes('token_type_ids'));
    const dims = [batch.batchSize, batch.sequenceLength];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', batch.inputIds, dims),
      attention_mask: new ort.Tensor('int64', batch.attentionMask, dims),
    };
    if (batch.tokenTypeIds !== undefined) {
      feeds.token_type_ids = new ort.Tensor('int64', batch.tokenTypeIds, dims);
    }
    const output = (await this.#session.run(feeds))[manifest.output];
    if (output === undefined || !(output.data instanceof Float32Array)) {
      throw new BundleError('model_invalid', `model.onnx returned no float32 output "${manifest.output}"`, {
        file: 'model.onnx',
      });
    }
    return output.data;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#session.release();
  }
}

export function createTokenizer(bundle: Bundle): BundleTokenizer {
  try {
    return new BundleTokenizer(bundle.tokenizerJson, bundle.truncation);
  } catch (cause) {
    throw new BundleError('tokenizer_invalid', `cannot load tokenizer.json: ${(cause as Error).message}`, {
      file: 'tokenizer.json',
      cause,
    });
  }
}

function checkSignature(bundle: Bundle, session: ort.InferenceSession): void {
  const expected = [...bundle.inputs].sort().join(', ');
  const actual = [...session.inputNames].sort().join(', ');
  if (expected !== actual) {
    throw new BundleError(
      'model_invalid',
      `model.onnx takes inputs [${actual}] but manifest.json lists [${expected}]`,
      { file: 'model.onnx' },
    );
  }
  if (!session.outputNames.includes(bundle.manifest.output)) {
    throw new BundleError(
      'model_invalid',
      `model.onnx has outputs [${session.outputNames.join(', ')}], not "${bundle.manifest.output}"`,
      { file: 'model.onnx' },
    );
  }
}
