import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bertNormalizer, bertPreTokenize } from './bert-text.js';
import { fixtureTokenizerJson } from './fixture-bundle.js';
import { BundleTokenizer } from './tokenizer.js';

describe('BundleTokenizer', () => {
  const ids = (text: string, maxLength: number, direction: 'right' | 'left' = 'right'): number[] =>
    new BundleTokenizer(fixtureTokenizerJson(maxLength), { maxLength, direction }).encode(text);
  // Fixture vocab: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, you 4, are 5, an 6, idiot 7, this 8, is 9, fine 10, ...

  it('adds [CLS] and [SEP] around the wordpieces', () => {
    assert.deepEqual(ids('You are an IDIOT', 16), [2, 4, 5, 6, 7, 3]);
    assert.deepEqual(ids('', 16), [2, 3]);
  });

  it('truncates the text, not the special tokens, to max_length (right side by default, left on request)', () => {
    assert.deepEqual(ids('you are an idiot this is fine', 6), [2, 4, 5, 6, 7, 3]);
    assert.deepEqual(ids('you are an idiot this is fine', 6, 'left'), [2, 7, 8, 9, 10, 3]);
    assert.deepEqual(ids('you are an idiot', 6), [2, 4, 5, 6, 7, 3]);
  });

  it('refuses a max_length with no room beside the special tokens', () => {
    assert.throws(() => ids('x', 2), RangeError);
  });
});

describe('BERT normalisation as the Rust tokenizers crate does it', () => {
  const normalize = bertNormalizer({
    clean_text: true,
    handle_chinese_chars: true,
    strip_accents: null,
    lowercase: true,
  });

  it('lowercases capital sigma to σ everywhere (JavaScript would give a final ς)', () => {
    assert.equal('ΣΟΦΟΣ'.toLowerCase(), 'σοφος');
    assert.equal(normalize('ΣΟΦΟΣ'), 'σοφοσ');
  });

  it('pads CJK ideographs outside the BMP with spaces, like those inside it', () => {
    assert.equal(normalize('a\u{20000}b中c'), 'a \u{20000} b 中 c');
  });

  it('strips accents, drops control and format characters, turns whitespace into spaces', () => {
    assert.equal(normalize('Ça\u0301\u200b\u0000\tx\u00a0y'), 'ca x y');
  });

  it('splits punctuation the crate knows as such, and keeps newer Unicode punctuation inside the word', () => {
    assert.deepEqual(bertPreTokenize('hi, you$ a\u2e3ab c'), [
      'hi',
      ',',
      'you',
      '$',
      'a',
      '\u2e3a',
      'b',
      'c',
    ]);
    assert.deepEqual(bertPreTokenize('wait\u2e50what'), ['wait\u2e50what']);
  });
});
