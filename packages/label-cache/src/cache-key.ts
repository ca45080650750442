import { createHash } from 'node:crypto';

/** Unicode NFC, runs of whitespace collapsed to one space, trimmed. */
export function normaliseText(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** sha256 hex of the normalised text + '\n' + model version. */
export function cacheKey(text: string, modelVersion: string): string {
  return createHash('sha256')
    .update(`${normaliseText(text)}\n${modelVersion}`, 'utf8')
    .digest('hex');
}
