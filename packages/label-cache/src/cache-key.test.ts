import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { cacheKey, normaliseText } from './cache-key.js';

it('normalises NFC, collapses whitespace and trims', () => {
  assert.equal(normaliseText('  Cafe\u0301 \t is\n\n  open  '), 'Caf\u00e9 is open');
});

it('keys are sha256 hex of the normalised text and the model version', () => {
  const expected = createHash('sha256').update('you are wrong\nm1').digest('hex');
  assert.equal(cacheKey(' you  are\nwrong ', 'm1'), expected);
  assert.equal(cacheKey('you are wrong', 'm1'), expected);
  assert.notEqual(cacheKey('you are wrong', 'm2'), expected);
  assert.notEqual(cacheKey('You are wrong', 'm1'), expected);
  assert.match(expected, /^[0-9a-f]{64}$/);
});
