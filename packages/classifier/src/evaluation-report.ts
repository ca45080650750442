import type { EvaluationReport } from './evaluate.js';
import type { BundleInfo } from './types.js';

/** The report in the key names training/metrics.py `report()` writes, plus the model and the run. */
export function evaluationReportJson(
  report: EvaluationReport,
  info: BundleInfo,
  run: { file: string; seconds: number },
): Record<string, unknown> {
  const { minSupport } = report.macroF1Frequent;
  return {
    model_id: info.modelId,
    model_version: info.modelVersion,
    thresholds_version: info.thresholdsVersion,
    file: run.file,
    per_label: Object.fromEntries(
      report.perLabel.map((m) => [
        m.label,
        { precision: m.precision, recall: m.recall, f1: m.f1, support: m.support, predicted: m.predicted },
      ]),
    ),
    micro_precision: report.microPrecision,
    micro_recall: report.microRecall,
    micro_f1: report.microF1,
    macro_f1: report.macroF1,
    [`macro_f1_support_ge_${minSupport}`]: report.macroF1Frequent.value,
    [`labels_support_ge_${minSupport}`]: report.macroF1Frequent.labels,
    exact_match: report.exactMatch,
    rows: report.count,
    seconds: run.seconds,
  };
}

const pad = (value: string, width: number): string => value.padStart(width);
const fixed = (value: number | null): string => (value === null ? '-' : value.toFixed(4));

/** The report as a table: the model and run, per-label metrics, then the micro, macro and exact-match lines. */
export function evaluationReportTable(
  report: EvaluationReport,
  info: BundleInfo,
  run: { file: string; seconds: number },
): string {
  const width = Math.max(5, ...report.perLabel.map((m) => m.label.length));
  const header = `${'label'.padEnd(width)}  ${pad('precision', 9)}  ${pad('recall', 9)}  ${pad('f1', 9)}  ${pad('support', 7)}  ${pad('predicted', 9)}`;
  const rows = report.perLabel.map(
    (m) =>
      `${m.label.padEnd(width)}  ${pad(fixed(m.precision), 9)}  ${pad(fixed(m.recall), 9)}  ${pad(fixed(m.f1), 9)}  ${pad(String(m.support), 7)}  ${pad(String(m.predicted), 9)}`,
  );
  const { minSupport, labels, value } = report.macroF1Frequent;
  const summary = (name: string, text: string): string => `${name.padEnd(42)}${text}`;
  return [
    `model ${info.modelId} ${info.modelVersion} (thresholds ${info.thresholdsVersion})`,
    `${run.file}: ${report.count} rows in ${run.seconds.toFixed(1)} s`,
    '',
    header,
    ...rows,
    '',
    summary(
      'micro-F1',
      `${fixed(report.microF1)}  (P ${fixed(report.microPrecision)}, R ${fixed(report.microRecall)})`,
    ),
    summary(`macro-F1 (all ${report.perLabel.length} labels)`, fixed(report.macroF1)),
    summary(`macro-F1 (${labels.length} labels with support >= ${minSupport})`, fixed(value)),
    summary('exact match', fixed(report.exactMatch)),
    '',
  ].join('\n');
}
