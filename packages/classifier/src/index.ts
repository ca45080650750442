export { LABELS, type Label, type Classification, type BundleInfo, type TextClassifier } from './types.js';
export { BundleError, ClassifierError, type BundleErrorKind } from './errors.js';
export { manifestSchema, type Manifest, type ModelInput } from './manifest.js';
export { loadBundle, type Bundle, type LoadBundleOptions } from './bundle.js';
export { BundleTokenizer, type TruncationConfig } from './tokenizer.js';
export { padBatch, lengthBuckets, type PaddedBatch } from './padding.js';
export { sigmoid, classifyLogits } from './thresholds.js';
export { InferenceEngine, DEFAULT_BUCKET_SIZE, type SessionOptions } from './engine.js';
export { loadClassifier, type LoadClassifierOptions } from './classifier.js';
export { ClassifierPool, type ClassifierPoolOptions } from './pool.js';
export { evaluate, type EvaluationReport, type EvaluateOptions, type LabelMetrics } from './evaluate.js';
export {
  explain,
  splitWords,
  occlusionSpans,
  occlude,
  DEFAULT_MAX_VARIANTS,
  DEFAULT_EXPLAIN_BATCH_SIZE,
  type ExplainOptions,
  type Explanation,
  type LabelExplanation,
  type SpanInfluence,
  type TextSpan,
} from './explain.js';
