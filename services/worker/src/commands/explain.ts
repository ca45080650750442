import { createInterface } from 'node:readline';
import {
  DEFAULT_MAX_VARIANTS,
  explain,
  type Explanation,
  type LabelExplanation,
} from '@modstream/classifier';
import { positiveInteger } from './command-args.js';
import { loadCommandClassifier } from './command-classifier.js';
import { parseModelCommandArgs } from './model-command-args.js';

const USAGE = `usage: modstream explain [--model <dir>] [--json] [--threads <n>] [--label <name> ...] [--top <n>]
                        [--max-variants <n>] ["text" ...]
  Which words raised each label of a text, by occlusion: every word is removed in turn and the text
  classified again; a word's weight is how much the label's score drops without it. With more words than
  --max-variants (default ${DEFAULT_MAX_VARIANTS}), runs of several words are removed together instead.
  With no text argument, explains stdin, one text per line.
  Prints the labels with scores, then one block per flagged label (or per --label, flagged or not): the text
  with its --top (default 3) words marked [[like this]](-drop), and those words with the score without them.
  --json prints one JSON object per text: the explanation data, with character offsets of every span.
`;

/** Drops under this are not marked: at that size they are noise, not evidence. */
const MIN_MARKED_DROP = 0.01;

export async function run(args: string[]): Promise<number> {
  const options = parseModelCommandArgs(
    'explain',
    USAGE,
    args,
    {
      label: { type: 'string', multiple: true },
      top: { type: 'string' },
      'max-variants': { type: 'string' },
    },
    ({ values, positionals }, common) => ({
      ...common,
      texts: positionals,
      labels: values.label,
      top: positiveInteger(values.top, 'top', 3),
      maxVariants: positiveInteger(values['max-variants'], 'max-variants', DEFAULT_MAX_VARIANTS),
    }),
  );
  if (typeof options === 'number') return options;
  const classifier = await loadCommandClassifier('explain', USAGE, options);
  if (typeof classifier === 'number') return classifier;
  try {
    const { labels: known, modelId, modelVersion, thresholdsVersion } = classifier.info;
    const unknown = (options.labels ?? []).filter((label) => !known.includes(label));
    if (unknown.length > 0) {
      process.stderr.write(
        `modstream explain: unknown label ${unknown.join(', ')} (the bundle has ${known.join(', ')})\n${USAGE}`,
      );
      return 2;
    }
    if (!options.json)
      process.stdout.write(`model ${modelId} ${modelVersion} (thresholds ${thresholdsVersion})\n`);
    const style = { bold: process.stdout.isTTY === true && !process.env.NO_COLOR, top: options.top };
    let line = 0;
    const one = async (text: string): Promise<void> => {
      line += 1;
      const result = await explain(classifier, text, {
        maxVariants: options.maxVariants,
        ...(options.labels === undefined ? {} : { labels: options.labels }),
      });
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ line, ...result })}\n`
          : formatExplanation(line, text, result, style),
      );
    };
    if (options.texts.length > 0) {
      for (const text of options.texts) await one(text);
    } else {
      for await (const text of createInterface({ input: process.stdin, crlfDelay: Infinity }))
        await one(text);
    }
    return 0;
  } finally {
    await classifier.close();
  }
}

interface Style {
  /** Wrap marked words in ANSI bold too (stdout is a terminal, NO_COLOR unset). */
  bold: boolean;
  /** Words marked per label. */
  top: number;
}

/** One text's block: its labels, then per explained label the text with its top words marked. */
export function formatExplanation(line: number, text: string, result: Explanation, style: Style): string {
  const flagged = result.flagged.map((label) => `${label} ${result.scores[label]!.toFixed(3)}`);
  const out = [`${line}\t${flagged.length === 0 ? '(no label)' : flagged.join(', ')}`];
  const notes: string[] = [];
  if (result.merged) {
    notes.push(`${result.words} words: removed in runs of ${result.spanWords} (${result.variants} variants)`);
  }
  if (result.truncated) {
    notes.push(`${result.words - result.wordsExplained} words past the model's window left out`);
  }
  if (notes.length > 0) out.push(`  (${notes.join('; ')})`);
  for (const label of result.labels) out.push(...formatLabel(text, label, style));
  return `${out.join('\n')}\n`;
}

function formatLabel(text: string, label: LabelExplanation, style: Style): string[] {
  const state = label.flagged ? 'flagged' : 'not flagged';
  const header = `  ${label.label} ${label.score.toFixed(3)} (threshold ${label.threshold}, ${state})`;
  const top = label.spans.slice(0, style.top).filter((span) => span.drop >= MIN_MARKED_DROP);
  if (top.length === 0)
    return [header, `    ${printable(text)}`, '    (no word moves the score by 0.01 or more)'];
  let marked = '';
  let at = 0;
  for (const span of [...top].sort((a, b) => a.start - b.start)) {
    const word = `[[${printable(span.word)}]]`;
    marked += `${printable(text.slice(at, span.start))}${style.bold ? `\x1b[1m${word}\x1b[22m` : word}(-${span.drop.toFixed(2)})`;
    at = span.end;
  }
  marked += printable(text.slice(at));
  const words = top.map(
    (span) =>
      `${printable(span.word)} -${span.drop.toFixed(3)} (${label.score.toFixed(3)} → ${span.scoreWithout.toFixed(3)})`,
  );
  return [header, `    ${marked}`, `    ${words.join(', ')}`];
}

/** The text as shown: control characters (line breaks, escape sequences) become spaces, offsets unchanged. */
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, ' ');
}
