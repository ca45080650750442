// CPU cost of explaining a comment by occlusion (`explain` of @modstream/classifier) on the default bundle:
// N real comments from the silver test split (read at run time, never copied), picked at evenly spaced
// quantiles of their word count so short and long comments both count. Every comment is explained for all
// labels, so each one pays the full occlusion (a flagged comment costs the same: one model run per variant,
// whatever the number of labels). CPU time is process.cpuUsage() (user + system, all threads, ONNX
// Runtime's included), so it is less sensitive to other load on the machine than wall time.
//   node --conditions=@modstream/source --import tsx bench/explain.ts [--texts 50] [--max-variants 64]
//     [--batch-size 32] [--threads 1] [--out bench/results/<UTC stamp>-explain]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_EXPLAIN_BATCH_SIZE,
  DEFAULT_MAX_VARIANTS,
  explain,
  loadClassifier,
  splitWords,
} from '@modstream/classifier';
import { loadCorpus } from './lib/corpus.js';
import { bundleDir, repoRoot } from './lib/paths.js';
import { median, percentile, round } from './lib/stats.js';

const stamp = new Date()
  .toISOString()
  .replace(/[-:]/g, '')
  .replace(/\.\d+Z$/, 'Z');
const { values } = parseArgs({
  options: {
    texts: { type: 'string', default: '50' },
    'max-variants': { type: 'string', default: String(DEFAULT_MAX_VARIANTS) },
    'batch-size': { type: 'string', default: String(DEFAULT_EXPLAIN_BATCH_SIZE) },
    threads: { type: 'string', default: '1' },
    out: { type: 'string', default: join(repoRoot, 'bench', 'results', `${stamp}-explain`) },
  },
});
const count = Number(values.texts);
const maxVariants = Number(values['max-variants']);
const batchSize = Number(values['batch-size']);
const threads = Number(values.threads);

/** One comment's run; no text, only its sizes. */
interface Run {
  /** Row of the comment in the silver test split (file order, empty texts skipped). */
  row: number;
  words: number;
  wordsExplained: number;
  tokens: number;
  variants: number;
  spanWords: number;
  flagged: number;
  cpuMs: number;
  wallMs: number;
  cpuMsPerWord: number;
  cpuMsPerVariant: number;
}

/** `count` rows at evenly spaced quantiles of word count (distinct rows, deterministic). */
function pickRows(corpus: readonly string[], n: number): number[] {
  const byLength = corpus
    .map((text, row) => ({ row, words: splitWords(text).length }))
    .filter((entry) => entry.words > 0)
    .sort((a, b) => a.words - b.words || a.row - b.row);
  const picked = new Set<number>();
  for (let i = 0; i < Math.min(n, byLength.length); i += 1) {
    picked.add(byLength[Math.round((i * (byLength.length - 1)) / Math.max(1, n - 1))]!.row);
  }
  return [...picked];
}

const loadAtStart = os.loadavg();
const corpus = loadCorpus();
const rows = pickRows(corpus, count);
const classifier = await loadClassifier(bundleDir, { intraOpThreads: threads });
const { labels, modelVersion } = classifier.info;
const options = { labels, maxVariants, batchSize };

await explain(classifier, corpus[rows[0]!]!, options); // warm-up: first runs allocate
const runs: Run[] = [];
for (const row of rows) {
  const text = corpus[row]!;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await explain(classifier, text, options);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  runs.push({
    row,
    words: result.words,
    wordsExplained: result.wordsExplained,
    tokens: classifier.encode(text).length,
    variants: result.variants,
    spanWords: result.spanWords,
    flagged: result.flagged.length,
    cpuMs: round(cpuMs, 2),
    wallMs: round(wallMs, 2),
    cpuMsPerWord: round(cpuMs / result.wordsExplained, 3),
    // The original's run counts as one more variant.
    cpuMsPerVariant: round(cpuMs / (result.variants + 1), 3),
  });
}
await classifier.close();

const summarise = (xs: number[]) => ({
  median: round(median(xs), 2),
  p90: round(percentile(xs, 90), 2),
  max: round(Math.max(...xs), 2),
});
const totalCpu = runs.reduce((sum, run) => sum + run.cpuMs, 0);
const totalWords = runs.reduce((sum, run) => sum + run.wordsExplained, 0);
const summary = {
  comments: runs.length,
  cpuMsPerWord: summarise(runs.map((run) => run.cpuMsPerWord)),
  cpuMsPerVariant: summarise(runs.map((run) => run.cpuMsPerVariant)),
  cpuMsPerComment: summarise(runs.map((run) => run.cpuMs)),
  wallMsPerComment: summarise(runs.map((run) => run.wallMs)),
  cpuMsPerWordOverall: round(totalCpu / totalWords, 2),
  wordsPerComment: summarise(runs.map((run) => run.wordsExplained)),
  tokensPerComment: summarise(runs.map((run) => run.tokens)),
  commentsMerged: runs.filter((run) => run.spanWords > 1).length,
  commentsTruncated: runs.filter((run) => run.wordsExplained < run.words).length,
  commentsFlagged: runs.filter((run) => run.flagged > 0).length,
  targetCpuMsPerWord: 50,
};
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  /** 1, 5 and 15 minute load averages when the run started and when it ended (other work on the machine). */
  loadAverageStart: loadAtStart.map((load) => round(load, 2)),
  loadAverageEnd: os.loadavg().map((load) => round(load, 2)),
  node: process.version,
};
const output = {
  bench: 'explain',
  time: new Date().toISOString(),
  machine,
  model: { bundle: bundleDir, modelVersion },
  settings: { texts: count, maxVariants, batchSize, intraOpThreads: threads, labels: 'all' },
  summary,
  runs,
};

const outDir = resolve(values.out);
mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'explain.json');
writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);

const { cpuMsPerWord, cpuMsPerComment } = summary;
process.stdout.write(
  [
    `machine: ${machine.cpu}, ${machine.cores} cores, load ${machine.loadAverageStart[0]} → ${machine.loadAverageEnd[0]} (node ${machine.node})`,
    `model ${modelVersion}; ${runs.length} silver test comments, ${summary.wordsPerComment.median} words median ` +
      `(p90 ${summary.wordsPerComment.p90}), ${summary.commentsMerged} with merged spans, ` +
      `${summary.commentsTruncated} past the token window`,
    `settings: maxVariants ${maxVariants}, batchSize ${batchSize}, intra-op threads ${threads}`,
    `CPU per word:    median ${cpuMsPerWord.median} ms, p90 ${cpuMsPerWord.p90} ms, max ${cpuMsPerWord.max} ms ` +
      `(overall ${summary.cpuMsPerWordOverall} ms; target <= ${summary.targetCpuMsPerWord} ms)`,
    `CPU per variant: median ${summary.cpuMsPerVariant.median} ms, p90 ${summary.cpuMsPerVariant.p90} ms`,
    `CPU per comment: median ${cpuMsPerComment.median} ms, p90 ${cpuMsPerComment.p90} ms, max ${cpuMsPerComment.max} ms ` +
      `(wall median ${summary.wallMsPerComment.median} ms, p90 ${summary.wallMsPerComment.p90} ms)`,
    `written: ${file}`,
  ].join('\n') + '\n',
);
