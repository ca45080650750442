import { availableParallelism } from 'node:os';
import { BundleError, ClassifierPool, evaluate } from '@modstream/classifier';
import { positiveInteger, resolveModelDir, UsageError } from './classify-model-dir.js';
import { readLabeledJsonl } from './eval-dataset.js';
import { parseModelCommandArgs } from './model-command-args.js';
import { reportJson, reportTable } from './eval-report.js';

const USAGE = `usage: modstream eval <file.jsonl> [--model <dir>] [--json] [--sessions <n>] [--threads <n>] [--batch-size <n>]
  Classifies every row's "text" through the TypeScript classifier (a pool of ONNX Runtime sessions) and prints
  per-label precision / recall / F1 of the positive class with support, micro-F1, macro-F1 (all labels and
  labels with >= 25 positives) and exact match against the row's 0/1 label columns.
`;

export async function run(args: string[]): Promise<number> {
  const options = parseModelCommandArgs(
    'eval',
    USAGE,
    args,
    { sessions: { type: 'string' }, 'batch-size': { type: 'string' } },
    ({ values, positionals }, common) => {
      if (positionals.length !== 1) throw new UsageError('expected exactly one <file.jsonl>');
      return {
        ...common,
        file: positionals[0]!,
        sessions: positiveInteger(values.sessions, 'sessions', availableParallelism()),
        batchSize: positiveInteger(values['batch-size'], 'batch-size', 32),
      };
    },
  );
  if (typeof options === 'number') return options;

  let pool: ClassifierPool;
  try {
    pool = await ClassifierPool.create(resolveModelDir(options.model), {
      sessions: options.sessions,
      intraOpThreads: options.threads,
      bucketSize: options.batchSize,
    });
  } catch (error) {
    if (!(error instanceof BundleError)) throw error;
    process.stderr.write(`modstream eval: ${error.message}\n`);
    return 1;
  }
  try {
    const { labels } = pool.info;
    let rows;
    try {
      rows = await readLabeledJsonl(options.file, labels);
    } catch (error) {
      process.stderr.write(`modstream eval: ${(error as Error).message}\n`);
      return 1;
    }
    const started = performance.now();
    const batches: Promise<string[][]>[] = [];
    for (let start = 0; start < rows.texts.length; start += options.batchSize) {
      const batch = rows.texts.slice(start, start + options.batchSize);
      batches.push(pool.classify(batch).then((results) => results.map((result) => result.labels)));
    }
    const predictions = (await Promise.all(batches)).flat();
    const run = { file: options.file, seconds: (performance.now() - started) / 1000 };
    const report = evaluate(predictions, rows.gold, labels);
    process.stdout.write(
      options.json
        ? `${JSON.stringify(reportJson(report, pool.info, run))}\n`
        : reportTable(report, pool.info, run),
    );
    return 0;
  } finally {
    await pool.close();
  }
}
