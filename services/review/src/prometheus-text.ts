/** One sample line of the Prometheus text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/**
 * Parses the sample lines of a Prometheus text exposition (version 0.0.4): `name{label="value",...} value
 * [timestamp]`; comments (# HELP, # TYPE) and blank lines are skipped, and so is a line that does not parse
 * (the overview needs a few counters, not a validator). Label values unescape \\, \" and \n.
 */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseLine(line);
    if (sample !== undefined) samples.push(sample);
  }
  return samples;
}

function parseLine(line: string): Sample | undefined {
  const name = NAME.exec(line)?.[0];
  if (name === undefined) return undefined;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    for (;;) {
      rest = rest.trimStart();
      if (rest.startsWith('}')) {
        rest = rest.slice(1);
        break;
      }
      const labelName = LABEL_NAME.exec(rest)?.[0];
      if (labelName === undefined) return undefined;
      rest = rest.slice(labelName.length).trimStart();
      if (!rest.startsWith('="')) return undefined;
      rest = rest.slice(2);
      let value = '';
      let closed = false;
      let i = 0;
      for (; i < rest.length; i++) {
        const char = rest[i];
        if (char === '\\') {
          const next = rest[++i];
          value += next === 'n' ? '\n' : (next ?? '');
        } else if (char === '"') {
          closed = true;
          break;
        } else {
          value += char;
        }
      }
      if (!closed) return undefined;
      labels[labelName] = value;
      rest = rest.slice(i + 1).trimStart();
      if (rest.startsWith(',')) rest = rest.slice(1);
    }
  }
  const [valueText] = rest.trim().split(/\s+/);
  if (valueText === undefined || valueText === '') return undefined;
  const value =
    valueText === '+Inf'
      ? Infinity
      : valueText === '-Inf'
        ? -Infinity
        : valueText === 'NaN'
          ? NaN
          : Number(valueText);
  if (Number.isNaN(value) && valueText !== 'NaN') return undefined;
  return { name, labels, value };
}
