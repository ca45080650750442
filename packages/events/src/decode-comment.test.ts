import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeComment, type DecodeResult } from './decode-comment.js';

const options = { maxTextBytes: 64 };
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');
const SECRET = 'do not leak this sentence';

function assertFailure(result: DecodeResult, reason: string): string {
  assert.equal(result.ok, false);
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.reason, reason);
  assert.ok(result.message.length > 0);
  return result.message;
}

describe('decodeComment', () => {
  it('accepts a minimal comment with or without the schema field', () => {
    const plain = decodeComment(json({ id: 'c1', text: 'hello there' }), options);
    assert.deepEqual(plain, { ok: true, comment: { id: 'c1', text: 'hello there' } });
    const tagged = decodeComment(json({ schema: 'modstream.comment.v1', id: 'c1', text: 'hi' }), options);
    assert.equal(tagged.ok, true);
  });

  it('keeps optional and unknown fields for passthrough', () => {
    const input = {
      id: 'c2',
      text: 'hi',
      author: 'a1',
      thread: 't1',
      created_at: '2026-11-26T10:00:00Z',
      language: 'en',
      metadata: { site: 'news', nested: { depth: 2 } },
      tenant: 'acme',
    };
    const result = decodeComment(json(input), { ...options, maxPassthroughBytes: 1024 });
    assert.ok(result.ok);
    assert.deepEqual(result.comment, input);
  });

  it('treats a null value (tombstone) as a schema violation', () => {
    assertFailure(decodeComment(null, options), 'schema_violation');
  });

  it('rejects invalid UTF-8 strictly', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"id":"c","text":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    assertFailure(decodeComment(bytes, options), 'invalid_utf8');
    assertFailure(decodeComment(Buffer.from([0xed, 0xa0, 0x80]), options), 'invalid_utf8');
  });

  it('rejects invalid JSON without quoting the input', () => {
    const message = assertFailure(decodeComment(Buffer.from(`${SECRET} {`), options), 'invalid_json');
    assert.ok(!message.includes('leak'));
  });

  it('rejects schema violations without quoting values', () => {
    assertFailure(decodeComment(json([1, 2]), options), 'schema_violation');
    assertFailure(decodeComment(json('a string'), options), 'schema_violation');
    assertFailure(decodeComment(json({ text: 'no id' }), options), 'schema_violation');
    assertFailure(decodeComment(json({ id: '', text: 'x' }), options), 'schema_violation');
    assertFailure(decodeComment(json({ id: 'x'.repeat(257), text: 'x' }), options), 'schema_violation');
    assertFailure(decodeComment(json({ id: 'c', text: 42 }), options), 'schema_violation');
    assertFailure(decodeComment(json({ id: 'c', text: 'x', metadata: 'flat' }), options), 'schema_violation');
    const wrongSchema = { schema: 'modstream.comment.v2', id: 'c', text: SECRET, author: 7 };
    const message = assertFailure(decodeComment(json(wrongSchema), options), 'schema_violation');
    assert.match(message, /schema/);
    assert.match(message, /author/);
    assert.ok(!message.includes('leak'));
  });

  it('rejects empty and whitespace-only text', () => {
    assertFailure(decodeComment(json({ id: 'c', text: '' }), options), 'empty_text');
    assertFailure(decodeComment(json({ id: 'c', text: ' \n\t\u00a0\u3000' }), options), 'empty_text');
  });

  it('limits text by UTF-8 bytes, not characters', () => {
    assert.equal(decodeComment(json({ id: 'c', text: 'a'.repeat(64) }), options).ok, true);
    assertFailure(decodeComment(json({ id: 'c', text: 'a'.repeat(65) }), options), 'text_too_large');
    const message = assertFailure(
      decodeComment(json({ id: 'c', text: 'é'.repeat(33) }), options),
      'text_too_large',
    );
    assert.match(message, /66 bytes/);
  });

  it('bounds the passthrough fields by the byte limit', () => {
    const big = { id: 'c', text: 'ok', metadata: { blob: 'x'.repeat(100) } };
    assertFailure(decodeComment(json(big), options), 'schema_violation');
    assert.equal(decodeComment(json(big), { ...options, maxPassthroughBytes: 1000 }).ok, true);
    assertFailure(
      decodeComment(json({ id: 'c', text: 'ok', extra: 'y'.repeat(100) }), options),
      'schema_violation',
    );
  });
});
