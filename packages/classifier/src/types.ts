export const LABELS = [
  'aspersion',
  'hyperbole',
  'lying',
  'namecalling',
  'noncooperation',
  'offtopic',
  'other_incivility',
  'pejorative',
  'sarcasm',
  'vulgarity',
] as const;
export type Label = (typeof LABELS)[number];

export interface Classification {
  /** Every label whose score is at or over its threshold, in label order. */
  labels: string[];
  /** Sigmoid score of every label of the bundle, keyed by label. */
  scores: Record<string, number>;
}

export interface BundleInfo {
  modelId: string;
  modelVersion: string;
  thresholdsVersion: string;
  labels: string[];
  thresholds: Record<string, number>;
  maxLength: number;
}

/** A loaded model bundle that classifies batches of texts. */
export interface TextClassifier {
  readonly info: BundleInfo;
  /**
   * Token ids of one text (special tokens included, truncated), as `classifyEncoded` takes them; their count
   * is the text's cost in the batcher's token budget.
   */
  encode(text: string): number[];
  classify(texts: readonly string[]): Promise<Classification[]>;
  /** Classifies texts already turned into ids by `encode`, so a caller that needed them tokenizes once. */
  classifyEncoded(sequences: readonly (readonly number[])[]): Promise<Classification[]>;
  close(): Promise<void>;
}
