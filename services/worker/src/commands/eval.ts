import { availableParallelism } from 'node:os';
import {
  BundleError,
  ClassifierPool,
  evaluateClassifier,
  evaluationReportJson,
  evaluationReportTable,
  readLabeledJsonl,
} from '@modstream/classifier';
import { commandModelDir } from '../config.js';
import { positiveInteger, UsageError } from './command-args.js';
import { parseModelCommandArgs } from './model-command-args.js';

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
    pool = await ClassifierPool.create(commandModelDir(process.env, options.model), {
      sessions: options.sessions,
      intraOpThreads: options.threads,
    });
  } catch (error) {
    if (!(error instanceof BundleError)) throw error;
    process.stderr.write(`modstream eval: ${error.message}\n`);
    return 1;
  }
  try {
    let dataset;
    try {
      dataset = await readLabeledJsonl(options.file, pool.info.labels);
    } catch (error) {
      process.stderr.write(`modstream eval: ${(error as Error).message}\n`);
      return 1;
    }
    const { report, seconds } = await evaluateClassifier(pool, dataset, { batchSize: options.batchSize });
    const run = { file: options.file, seconds };
    process.stdout.write(
      options.json
        ? `${JSON.stringify(evaluationReportJson(report, pool.info, run))}\n`
        : evaluationReportTable(report, pool.info, run),
    );
    return 0;
  } finally {
    await pool.close();
  }
}
