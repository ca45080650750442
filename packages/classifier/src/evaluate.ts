export interface LabelMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Gold positives. */
  support: number;
  /** Predicted positives. */
  predicted: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

export interface EvaluationReport {
  count: number;
  perLabel: LabelMetrics[];
  microPrecision: number;
  microRecall: number;
  microF1: number;
  /** Unweighted mean F1 over every label. */
  macroF1: number;
  /** Unweighted mean F1 over the labels with at least `minSupport` gold positives (null if there are none). */
  macroF1Frequent: { minSupport: number; labels: string[]; value: number | null };
  /** Share of texts whose predicted label set equals the gold set. */
  exactMatch: number;
}

export interface EvaluateOptions {
  /** Support threshold of `macroF1Frequent` (default 25). */
  minSupport?: number;
}

/** precision, recall and F1 of the positive class; 0 where a ratio has no denominator (sklearn's zero_division=0). */
function scores(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  return {
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
    f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
  };
}

const mean = (values: readonly number[]): number =>
  values.reduce((sum, value) => sum + value, 0) / values.length;

/** Multi-label metrics of predicted label sets against gold label sets (same order, same length). */
export function evaluate(
  predictions: readonly (readonly string[])[],
  gold: readonly (readonly string[])[],
  labels: readonly string[],
  options: EvaluateOptions = {},
): EvaluationReport {
  if (predictions.length !== gold.length) {
    throw new RangeError(`${predictions.length} predictions for ${gold.length} gold rows`);
  }
  if (labels.length === 0) throw new RangeError('no labels to evaluate');
  const known = new Set(labels);
  const counts = new Map(labels.map((label) => [label, { tp: 0, fp: 0, fn: 0 }]));
  let exact = 0;
  predictions.forEach((predicted, row) => {
    const predictedSet = new Set(predicted);
    const goldSet = new Set(gold[row]);
    for (const label of [...predictedSet, ...goldSet]) {
      if (!known.has(label)) throw new RangeError(`unknown label "${label}" in row ${row}`);
    }
    for (const [label, count] of counts) {
      const p = predictedSet.has(label);
      const g = goldSet.has(label);
      if (p && g) count.tp += 1;
      else if (p) count.fp += 1;
      else if (g) count.fn += 1;
    }
    if (predictedSet.size === goldSet.size && [...predictedSet].every((label) => goldSet.has(label)))
      exact += 1;
  });

  const perLabel = labels.map((label): LabelMetrics => {
    const { tp, fp, fn } = counts.get(label)!;
    return {
      label,
      ...scores(tp, fp, fn),
      support: tp + fn,
      predicted: tp + fp,
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
    };
  });
  const total = perLabel.reduce(
    (sum, m) => ({
      tp: sum.tp + m.truePositives,
      fp: sum.fp + m.falsePositives,
      fn: sum.fn + m.falseNegatives,
    }),
    { tp: 0, fp: 0, fn: 0 },
  );
  const micro = scores(total.tp, total.fp, total.fn);
  const minSupport = options.minSupport ?? 25;
  const frequent = perLabel.filter((m) => m.support >= minSupport);
  return {
    count: predictions.length,
    perLabel,
    microPrecision: micro.precision,
    microRecall: micro.recall,
    microF1: micro.f1,
    macroF1: mean(perLabel.map((m) => m.f1)),
    macroF1Frequent: {
      minSupport,
      labels: frequent.map((m) => m.label),
      value: frequent.length === 0 ? null : mean(frequent.map((m) => m.f1)),
    },
    exactMatch: predictions.length === 0 ? 0 : exact / predictions.length,
  };
}
