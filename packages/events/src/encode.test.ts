import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { passthroughFields, type Comment } from './comment.js';
import { deadLetterKey, deadLetterSchema, encodeDeadLetter } from './dead-letter.js';
import { encodeLabeled, labeledEventSchema } from './labeled.js';
import { encodeReview, reviewEventSchema } from './review.js';

const comment: Comment = {
  id: 'c1',
  text: 'the comment text',
  author: 'a1',
  metadata: { site: 'news' },
  tenant: 'acme',
  labels: 'spoofed',
};
const source = { topic: 'comments', partition: 3, offset: '9007199254740993' };
const parse = (buffer: Buffer): unknown => JSON.parse(buffer.toString('utf8'));

describe('encoders', () => {
  it('encodes a labeled event with passthrough fields and no text', () => {
    const event = parse(
      encodeLabeled({
        id: comment.id,
        labels: ['sarcasm'],
        scores: { sarcasm: 0.9, vulgarity: 0.1, hyperbole: 0.123456789, lying: 0.99996 },
        model_version: 'm1',
        thresholds_version: 't1',
        cache_hit: false,
        source,
        timings: { queued_ms: 1, inference_ms: 2, total_ms: 3 },
        passthrough: passthroughFields(comment),
      }),
    );
    const parsed = labeledEventSchema.parse(event);
    assert.equal(parsed.schema, 'modstream.labeled.v1');
    assert.deepEqual(parsed.labels, ['sarcasm']);
    assert.deepEqual(parsed.scores, { sarcasm: 0.9, vulgarity: 0.1, hyperbole: 0.1235, lying: 1 });
    assert.equal(parsed.author, 'a1');
    assert.equal(parsed.tenant, 'acme');
    assert.deepEqual(parsed.metadata, { site: 'news' });
    assert.equal(parsed.source.offset, '9007199254740993');
    assert.equal('text' in parsed, false);
    assert.ok(!Number.isNaN(Date.parse(parsed.produced_at)));
  });

  it('encodes a dead letter with base64 key and original bytes', () => {
    const original = Buffer.from([0xff, 0x00, 0x7b]);
    const event = deadLetterSchema.parse(
      parse(
        encodeDeadLetter({
          reason: 'invalid_utf8',
          error: { name: 'CommentDecodeError', message: 'not UTF-8' },
          source: { ...source, key: Buffer.from('k1') },
          original,
          modelVersion: 'm1',
          at: new Date('2026-11-26T10:00:00Z'),
        }),
      ),
    );
    assert.deepEqual(Buffer.from(event.original_base64 ?? '', 'base64'), original);
    assert.equal(Buffer.from(event.source.key_base64 ?? '', 'base64').toString(), 'k1');
    assert.equal(event.at, '2026-11-26T10:00:00.000Z');
    assert.equal(event.reason, 'invalid_utf8');
    assert.equal(event.truncated, false);
    assert.equal(event.original_size, 3);
  });

  it('cuts the original and the key of a dead letter, keeping their size and sha256', () => {
    const original = Buffer.alloc(800_000, 0x61);
    const key = Buffer.alloc(5_000, 0x6b);
    const encoded = encodeDeadLetter({
      reason: 'text_too_large',
      error: { name: 'CommentDecodeError', message: 'x'.repeat(10_000) },
      source: { ...source, key },
      original,
      maxOriginalBytes: 1_000,
      modelVersion: 'm1',
    });
    assert.ok(encoded.byteLength < 6_000, `dead letter of ${encoded.byteLength} bytes`);
    const event = deadLetterSchema.parse(parse(encoded));
    assert.deepEqual(Buffer.from(event.original_base64 ?? '', 'base64'), original.subarray(0, 1_000));
    assert.equal(event.truncated, true);
    assert.equal(event.original_size, 800_000);
    assert.equal(event.original_sha256, createHash('sha256').update(original).digest('hex'));
    assert.equal(event.source.key_truncated, true);
    assert.equal(Buffer.from(event.source.key_base64 ?? '', 'base64').byteLength, 1_024);
    assert.equal(deadLetterKey(key), `sha256:${createHash('sha256').update(key).digest('hex')}`);
    assert.deepEqual(deadLetterKey(Buffer.from('k1')), Buffer.from('k1'));
  });

  it('encodes a tombstone dead letter with null key and bytes', () => {
    const event = deadLetterSchema.parse(
      parse(
        encodeDeadLetter({
          reason: 'schema_violation',
          error: { name: 'CommentDecodeError', message: 'tombstone' },
          source: { ...source, key: null },
          original: null,
          modelVersion: 'm1',
        }),
      ),
    );
    assert.equal(event.original_base64, null);
    assert.equal(event.original_size, null);
    assert.equal(event.source.key_base64, null);
  });

  it('encodes a review event', () => {
    const event = reviewEventSchema.parse(
      parse(
        encodeReview({
          id: 'c1',
          queue: 'review',
          priority: 0.9,
          labels: ['vulgarity'],
          scores: { vulgarity: 0.912345 },
          model_version: 'm1',
          source,
          passthrough: passthroughFields(comment),
        }),
      ),
    );
    assert.equal(event.schema, 'modstream.review.v1');
    assert.equal(event.queue, 'review');
    assert.equal(event.tenant, 'acme');
    assert.deepEqual(event.labels, ['vulgarity']);
    assert.deepEqual(event.scores, { vulgarity: 0.9123 });
  });
});
