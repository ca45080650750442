export { LABELS, type Label, type Classification, type BundleInfo, type TextClassifier } from './types.js';
export { BundleError, ClassifierError, type BundleErrorKind } from './errors.js';
export { manifestSchema, type Manifest, type ModelInput } from './manifest.js';
export { loadBundle, type Bundle, type LoadBundleOptions } from './bundle.js';
export { BundleTokenizer, type TruncationConfig } from './tokenizer.js';
export { padBatch, type PaddedBatch } from './padding.js';
export { sigmoid, classifyLogits, labelsOver } from './thresholds.js';
export { InferenceEngine, type SessionOptions } from './engine.js';
export { loadClassifier, type LoadClassifierOptions } from './classifier.js';
export { ClassifierPool, type ClassifierPoolOptions } from './pool.js';
export { evaluate, type EvaluationReport, type EvaluateOptions, type LabelMetrics } from './evaluate.js';
export { readLabeledJsonl, type LabeledDataset } from './labeled-dataset.js';
export { evaluateClassifier, type ClassifierEvaluation } from './evaluate-classifier.js';
export { evaluationReportJson, evaluationReportTable } from './evaluation-report.js';
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
