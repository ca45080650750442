import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silverDir } from './paths.js';

/** The silver test texts in file order: realistic comment lengths, read at run time, never copied. */
export function loadCorpus(): string[] {
  const file = join(silverDir, 'test.jsonl');
  const texts: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const { text } = JSON.parse(line) as { text?: unknown };
    if (typeof text === 'string' && text.trim() !== '') texts.push(text);
  }
  if (texts.length === 0) throw new Error(`no texts in ${file}`);
  return texts;
}

/**
 * The i-th text of the cycled corpus with a numbered suffix, so every text hashes to its own cache key.
 * The raw limit uses the same suffixes, so both sides see the same token counts.
 */
export function uniqueText(corpus: readonly string[], tag: string, i: number): string {
  return `${corpus[i % corpus.length]} #${tag}${i}`;
}
