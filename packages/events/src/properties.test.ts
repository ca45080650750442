// Property-based tests: whatever bytes arrive, decoding gives a comment or a dead-letter reason, never a
// throw; whatever a comment holds, every event encoded from it validates against its JSON Schema.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { passthroughFields } from './comment.js';
import { encodeDeadLetter } from './dead-letter.js';
import { decodeComment, type DecodeFailureReason } from './decode-comment.js';
import { jsonSchemaDocuments } from './json-schemas.js';
import { encodeLabeled } from './labeled.js';
import { encodeReview } from './review.js';

const MAX_TEXT_BYTES = 512;
const REASONS: DecodeFailureReason[] = [
  'invalid_utf8',
  'invalid_json',
  'schema_violation',
  'empty_text',
  'text_too_large',
];

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const documents = jsonSchemaDocuments();
const validator = (name: string) => ajv.compile(documents[`${name}.schema.json`] as object);
const validate = {
  comment: validator('modstream.comment.v1'),
  labeled: validator('modstream.labeled.v1'),
  review: validator('modstream.review.v1'),
  deadLetter: validator('modstream.deadletter.v1'),
};

function assertValid(check: ReturnType<typeof ajv.compile>, encoded: Buffer): void {
  const event: unknown = JSON.parse(encoded.toString('utf8'));
  assert.ok(check(event), ajv.errorsText(check.errors));
}

const source = fc.record({
  topic: fc.string({ minLength: 1, maxLength: 40 }),
  partition: fc.nat(1_000),
  offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
});

/** Comment-like JSON: the fields the schema knows, with right and wrong types, plus arbitrary extras. */
const commentLike = fc.record(
  {
    id: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null)),
    text: fc.oneof(
      fc.string({ maxLength: 600 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.integer(),
    ),
    author: fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue()),
    metadata: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
    labels: fc.jsonValue(),
    schema: fc.oneof(fc.constant('modstream.comment.v1'), fc.string()),
    __proto__: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

const inputBytes = fc.oneof(
  fc.uint8Array({ maxLength: 2_000 }),
  fc.string({ unit: 'binary', maxLength: 1_000 }).map((text) => Buffer.from(text)),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
  commentLike.map((value) => Buffer.from(JSON.stringify(value))),
  fc
    .nat(20_000)
    .map((depth) => Buffer.from(`{"id":"d","text":"t","metadata":${'['.repeat(depth)}${']'.repeat(depth)}}`)),
);

describe('decodeComment on any bytes', () => {
  it('gives a valid comment or a dead-letter reason, never a throw', () => {
    fc.assert(
      fc.property(inputBytes, (bytes) => {
        const result = decodeComment(bytes, { maxTextBytes: MAX_TEXT_BYTES });
        if (result.ok) {
          assert.ok(validate.comment(result.comment), ajv.errorsText(validate.comment.errors));
          assert.ok(Buffer.byteLength(result.comment.text) <= MAX_TEXT_BYTES);
          assert.ok(result.comment.text.trim() !== '');
        } else {
          assert.ok(REASONS.includes(result.reason), result.reason);
          assert.equal(typeof result.message, 'string');
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('never throws on nesting deeper than the serialiser can take', () => {
    const depth = 1_000_000;
    const bytes = Buffer.from(
      `{"id":"d","text":"t","metadata":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
    );
    const result = decodeComment(bytes, { maxTextBytes: MAX_TEXT_BYTES });
    assert.equal(result.ok, false);
  });
});

describe('encoders on any decoded comment', () => {
  const labels = ['aspersion', 'namecalling', 'vulgarity'];
  const scores = fc.tuple(...labels.map(() => fc.double({ min: 0, max: 1, noNaN: true })));

  it('labeled and review events validate against their JSON Schemas', () => {
    fc.assert(
      fc.property(commentLike, source, scores, fc.nat(10_000), (value, where, values, ms) => {
        const result = decodeComment(Buffer.from(JSON.stringify(value)), { maxTextBytes: MAX_TEXT_BYTES });
        fc.pre(result.ok);
        if (!result.ok) return;
        const scoreMap = Object.fromEntries(labels.map((label, i) => [label, values[i]!]));
        const flagged = labels.filter((label) => scoreMap[label]! >= 0.5);
        const passthrough = passthroughFields(result.comment);
        const common = {
          id: result.comment.id,
          labels: flagged,
          scores: scoreMap,
          model_version: 'm',
          source: where,
        };
        assertValid(
          validate.labeled,
          encodeLabeled({
            ...common,
            thresholds_version: 't',
            cache_hit: ms % 2 === 0,
            timings: { queued_ms: ms, inference_ms: ms, total_ms: ms },
            passthrough,
          }),
        );
        assertValid(validate.review, encodeReview({ ...common, queue: 'review', priority: ms, passthrough }));
      }),
      { numRuns: 1_000 },
    );
  });

  it('dead letters of any bytes and key validate and stay bounded', () => {
    fc.assert(
      fc.property(
        inputBytes,
        fc.option(fc.uint8Array({ maxLength: 3_000 })),
        source,
        fc.nat(2_048),
        fc.string({ maxLength: 3_000 }),
        (original, key, where, maxOriginalBytes, message) => {
          const encoded = encodeDeadLetter({
            reason: 'invalid_json',
            error: { name: 'DecodeError', message },
            source: { ...where, key: key === null ? null : Buffer.from(key) },
            original,
            maxOriginalBytes,
            modelVersion: 'm',
          });
          assertValid(validate.deadLetter, encoded);
          const bound = ((maxOriginalBytes + 1_024) * 4) / 3 + 3 * 1_024 + where.topic.length * 6 + 600;
          assert.ok(encoded.byteLength <= bound, `${encoded.byteLength} > ${bound}`);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
