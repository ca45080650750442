import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stackDefaults, testStackSettings } from './settings.js';
import { uniqueName } from './unique-name.js';

test('testStackSettings falls back to the stack defaults', () => {
  assert.deepEqual(testStackSettings({ MODSTREAM_TEST_KAFKA_BROKERS: ' ' }), stackDefaults);
});

test('testStackSettings reads broker lists and URLs from env', () => {
  const settings = testStackSettings({
    MODSTREAM_TEST_KAFKA_BROKERS: 'a:1, b:2',
    MODSTREAM_TEST_KAFKA_SASL_BROKERS: 'c:3',
    MODSTREAM_TEST_REDIS_URL: 'redis://r:1',
    MODSTREAM_TEST_REDIS_AUTH_URL: 'redis://:p@r:2',
  });
  assert.deepEqual(settings.kafkaBrokers, ['a:1', 'b:2']);
  assert.deepEqual(settings.kafkaSaslBrokers, ['c:3']);
  assert.equal(settings.redisUrl, 'redis://r:1');
  assert.equal(settings.redisAuthUrl, 'redis://:p@r:2');
});

test('uniqueName keeps the prefix, differs per call and is a valid Kafka topic name', () => {
  const names = new Set(Array.from({ length: 100 }, () => uniqueName('orders.v1')));
  assert.equal(names.size, 100);
  for (const name of names) {
    assert.match(name, /^orders\.v1-[a-z0-9.-]+$/);
    assert.ok(name.length <= 249);
  }
});
