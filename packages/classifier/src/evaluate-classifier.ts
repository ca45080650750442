import { DEFAULT_MAX_COST_RATIO, planBatches } from '@modstream/batcher';
import { evaluate, type EvaluationReport } from './evaluate.js';
import type { LabeledDataset } from './labeled-dataset.js';
import type { TextClassifier } from './types.js';

export interface ClassifierEvaluation {
  report: EvaluationReport;
  /** Wall time of the classification alone. */
  seconds: number;
}

/**
 * Classifies every text of the dataset in length-bucketed batches of at most `batchSize` (planned by
 * @modstream/batcher), all submitted at once, and scores the labels.
 */
export async function evaluateClassifier(
  classifier: TextClassifier,
  dataset: LabeledDataset,
  { batchSize }: { batchSize: number },
): Promise<ClassifierEvaluation> {
  const started = performance.now();
  const encoded = dataset.texts.map((text) => classifier.encode(text));
  const batches = planBatches(
    encoded.map((ids) => ids.length),
    { maxItems: batchSize, maxTokens: Infinity, maxCostRatio: DEFAULT_MAX_COST_RATIO },
  );
  const predictions = new Array<string[]>(encoded.length);
  await Promise.all(
    batches.map(async (batch) => {
      const results = await classifier.classifyEncoded(batch.map((row) => encoded[row]!));
      batch.forEach((row, index) => (predictions[row] = results[index]!.labels));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { report: evaluate(predictions, dataset.gold, classifier.info.labels), seconds };
}
