import { readFile } from 'node:fs/promises';

export interface LabeledDataset {
  texts: string[];
  /** Gold label set of each row. */
  gold: string[][];
}

/** Reads JSON lines with a `text` field and a 0/1 (or boolean) column per label; errors name the line, never the text. */
export async function readLabeledJsonl(path: string, labels: readonly string[]): Promise<LabeledDataset> {
  const rows: LabeledDataset = { texts: [], gold: [] };
  const lines = (await readFile(path, 'utf8')).split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${path}:${index + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new Error(`${where}: not valid JSON`);
    }
    if (typeof row !== 'object' || row === null || typeof (row as { text?: unknown }).text !== 'string') {
      throw new Error(`${where}: no string "text" field`);
    }
    const record = row as Record<string, unknown>;
    rows.texts.push(record.text as string);
    rows.gold.push(
      labels.filter((label) => {
        const value = record[label];
        if (value === 1 || value === true) return true;
        if (value === 0 || value === false) return false;
        throw new Error(`${where}: label column "${label}" must be 0 or 1, got ${JSON.stringify(value)}`);
      }),
    );
  });
  return rows;
}
