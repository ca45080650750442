import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { REQUEST_OVERHEAD_BYTES, estimateMessageBytes, splitRequests } from './producer.js';
import { recordRefusal } from './refusals.js';

const message = (bytes: number, key = 'k') => ({ topic: 't', key, value: Buffer.alloc(bytes) });

test('requests are split in order so that none is estimated above the limit', () => {
  const messages = Array.from({ length: 300 }, (_, i) => message(60_000 + i, `k${i}`));
  const requests = splitRequests(messages, 900_000);
  assert.deepEqual(requests.flat(), messages, 'every message once, in order');
  for (const request of requests) {
    const bytes = request.reduce((sum, m) => sum + estimateMessageBytes(m), REQUEST_OVERHEAD_BYTES);
    assert.ok(bytes <= 900_000, `request of ${bytes} bytes`);
  }
  assert.equal(requests.length, Math.ceil(300 / Math.floor((900_000 - REQUEST_OVERHEAD_BYTES) / 60_364)));
});

test('a message larger than the limit travels alone; small ones share a request', () => {
  const requests = splitRequests([message(10), message(2_000_000), message(10), message(10)], 900_000);
  assert.deepEqual(
    requests.map((request) => request.length),
    [1, 1, 2],
  );
});

test('broker refusals are recognised along the kafkajs cause chain, other errors are not', () => {
  const { KafkaJSProtocolError, KafkaJSNonRetriableError, KafkaJSConnectionError } = kafkajs;
  // kafkajs builds protocol errors from its error-code table; its typings only name Error.
  const protocolError = (fields: object) => new KafkaJSProtocolError(fields as Error);
  const tooLarge = protocolError({
    type: 'MESSAGE_TOO_LARGE',
    code: 10,
    retriable: false,
    message: 'The request included a message larger than the max message size the server will accept',
  });
  const wrapped = Object.assign(new KafkaJSNonRetriableError(tooLarge), { cause: tooLarge });
  assert.deepEqual(recordRefusal(wrapped), { kind: 'too_large', type: 'MESSAGE_TOO_LARGE' });
  const invalid = protocolError({
    type: 'INVALID_RECORD',
    code: 87,
    retriable: false,
    message: '',
  });
  assert.deepEqual(recordRefusal(invalid), { kind: 'invalid', type: 'INVALID_RECORD' });
  assert.equal(recordRefusal(new KafkaJSConnectionError('closed')), undefined);
  assert.equal(recordRefusal(new Error('boom')), undefined);
});
