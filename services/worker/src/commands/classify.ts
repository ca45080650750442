import { createInterface } from 'node:readline';
import type { Classification, TextClassifier } from '@modstream/classifier';
import { loadCommandClassifier } from './command-classifier.js';
import { parseModelCommandArgs } from './model-command-args.js';

const USAGE = `usage: modstream classify [--model <dir>] [--json] [--threads <n>] ["text" ...]
  With no text argument, classifies stdin, one text per line.
  Prints every label at or over its threshold with its score; --json prints one JSON object per text
  (labels, all scores, model and thresholds versions; never the text).
`;

const BATCH = 32;

export async function run(args: string[]): Promise<number> {
  const options = parseModelCommandArgs('classify', USAGE, args, {}, ({ positionals }, common) => ({
    ...common,
    texts: positionals,
  }));
  if (typeof options === 'number') return options;
  const classifier = await loadCommandClassifier('classify', USAGE, options);
  if (typeof classifier === 'number') return classifier;
  try {
    const print = printer(classifier, options.json);
    if (options.texts.length > 0) {
      print(await classifier.classify(options.texts));
    } else {
      let batch: string[] = [];
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        batch.push(line);
        if (batch.length === BATCH) {
          print(await classifier.classify(batch));
          batch = [];
        }
      }
      print(await classifier.classify(batch));
    }
    return 0;
  } finally {
    await classifier.close();
  }
}

function printer(classifier: TextClassifier, json: boolean): (results: Classification[]) => void {
  const { modelId, modelVersion, thresholdsVersion } = classifier.info;
  let line = 0;
  if (!json) process.stdout.write(`model ${modelId} ${modelVersion} (thresholds ${thresholdsVersion})\n`);
  return (results) => {
    const out = results.map((result) => {
      line += 1;
      if (json) {
        return JSON.stringify({
          line,
          labels: result.labels,
          scores: result.scores,
          model_version: modelVersion,
          thresholds_version: thresholdsVersion,
        });
      }
      const labels = result.labels.map((label) => `${label} ${result.scores[label]!.toFixed(3)}`);
      return `${line}\t${labels.length === 0 ? '(no label)' : labels.join(', ')}`;
    });
    if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  };
}
