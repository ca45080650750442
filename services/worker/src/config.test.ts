import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultOutputTopics } from '@modstream/moderation';
import { commandModelDir, ConfigError, defaultInferenceLayout, loadConfig } from './config.js';

test('defaults: only the brokers are required for the worker', () => {
  const config = loadConfig({ MODSTREAM_KAFKA_BROKERS: 'a:9092, b:9093' });
  assert.deepEqual(config.kafka.brokers, ['a:9092', 'b:9093']);
  assert.equal(config.kafka.groupId, 'modstream-worker');
  assert.equal(config.kafka.inputTopic, 'comments');
  assert.deepEqual(config.kafka.outputTopics, defaultOutputTopics());
  assert.equal(config.kafka.outputTopics.labeled, 'comments.labeled');
  assert.equal(config.kafka.outputTopics.dead_letter, 'comments.dlq');
  assert.equal(config.redis, undefined);
  assert.equal(config.cache.ttlSeconds, 604_800);
  assert.equal(config.batch.maxItems, 16);
  assert.equal(config.batch.maxWaitMs, 0);
  assert.equal(config.httpPort, 9464);
  assert.equal(config.logText, false);
});

test('inference layout: one single-threaded session per core', () => {
  assert.deepEqual(defaultInferenceLayout(1), { sessions: 1, intraOpThreads: 1 });
  assert.deepEqual(defaultInferenceLayout(2), { sessions: 2, intraOpThreads: 1 });
  assert.deepEqual(defaultInferenceLayout(3), { sessions: 3, intraOpThreads: 1 });
  assert.deepEqual(defaultInferenceLayout(16), { sessions: 16, intraOpThreads: 1 });
  const { model } = loadConfig({ MODSTREAM_KAFKA_BROKERS: 'a:9092' });
  const { sessions, intraOpThreads } = defaultInferenceLayout(availableParallelism());
  assert.deepEqual([model.sessions, model.intraOpThreads], [sessions, intraOpThreads]);
  const set = loadConfig({
    MODSTREAM_KAFKA_BROKERS: 'a:9092',
    MODSTREAM_INFERENCE_SESSIONS: '3',
    MODSTREAM_INTRA_OP_THREADS: '1',
  });
  assert.deepEqual([set.model.sessions, set.model.intraOpThreads], [3, 1]);
});

test('embedded mode needs no brokers', () => {
  assert.deepEqual(loadConfig({}, 'embedded').kafka.brokers, []);
});

test('every problem is reported at once, by variable name', () => {
  assert.throws(
    () =>
      loadConfig({
        MODSTREAM_BATCH_MAX_ITEMS: '0',
        MODSTREAM_HTTP_PORT: 'eighty',
        MODSTREAM_REDIS_URL: 'http://nope',
        MODSTREAM_LOG_TEXT: 'maybe',
        MODSTREAM_KAFKA_SASL_MECHANISM: 'scram-sha-256',
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const names = error.problems.map((problem) => problem.split(':')[0]);
      for (const name of [
        'MODSTREAM_KAFKA_BROKERS',
        'MODSTREAM_BATCH_MAX_ITEMS',
        'MODSTREAM_HTTP_PORT',
        'MODSTREAM_REDIS_URL',
        'MODSTREAM_LOG_TEXT',
        'MODSTREAM_KAFKA_SASL_USERNAME',
        'MODSTREAM_KAFKA_SASL_PASSWORD',
      ]) {
        assert.ok(names.includes(name), `${name} reported in ${error.message}`);
      }
      return true;
    },
  );
});

test('SASL, TLS and Redis settings are typed', () => {
  const config = loadConfig({
    MODSTREAM_KAFKA_BROKERS: 'k:9094',
    MODSTREAM_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    MODSTREAM_KAFKA_SASL_USERNAME: 'u',
    MODSTREAM_KAFKA_SASL_PASSWORD: 'p',
    MODSTREAM_KAFKA_TLS: 'true',
    MODSTREAM_KAFKA_TLS_REJECT_UNAUTHORIZED: 'false',
    MODSTREAM_REDIS_URL: 'rediss://cache:6380',
    MODSTREAM_REDIS_PASSWORD: 'secret',
  });
  assert.deepEqual(config.kafka.sasl, { mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  assert.equal(config.kafka.tls?.rejectUnauthorized, false);
  assert.equal(config.redis?.url, 'rediss://cache:6380');
  assert.equal(config.redis?.password, 'secret');
});

test('a dead-letter size that would not fit a produce request is a configuration error', () => {
  const config = loadConfig({ MODSTREAM_KAFKA_BROKERS: 'a:9092' });
  assert.equal(config.dlqMaxOriginalBytes, 65_536);
  assert.equal(config.kafka.maxRequestBytes, 900_000);
  assert.throws(
    () => loadConfig({ MODSTREAM_KAFKA_BROKERS: 'a:9092', MODSTREAM_DLQ_MAX_ORIGINAL_BYTES: '700000' }),
    (error: ConfigError) =>
      error.problems.length === 1 && error.problems[0]!.startsWith('MODSTREAM_DLQ_MAX_ORIGINAL_BYTES:'),
  );
});

test('model directories: one resolver for the worker, the shadow and the model commands', () => {
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const bundled = join(repoRoot, 'models/incivility-minilm-l6');
  const brokers = { MODSTREAM_KAFKA_BROKERS: 'a:9092' };
  // The default bundle and a relative directory absent from the working directory come from the repository.
  for (const env of [brokers, { ...brokers, MODSTREAM_MODEL_DIR: ' ' }]) {
    assert.equal(loadConfig(env).model.dir, resolve(bundled));
  }
  assert.ok(existsSync(join(loadConfig(brokers).model.dir, 'manifest.json')));
  const relative = loadConfig({
    ...brokers,
    MODSTREAM_MODEL_DIR: 'models/not-here',
    MODSTREAM_SHADOW_MODEL_DIR: 'models/candidate',
  });
  assert.equal(relative.model.dir, join(repoRoot, 'models/not-here'));
  assert.equal(relative.shadow?.dir, join(repoRoot, 'models/candidate'));
  assert.equal(loadConfig({ ...brokers, MODSTREAM_MODEL_DIR: '/opt/bundle' }).model.dir, '/opt/bundle');

  // Model commands: --model is relative to the working directory; without it, the worker's setting.
  assert.equal(commandModelDir({}, 'models/not-here'), resolve('models/not-here'));
  assert.equal(commandModelDir({ MODSTREAM_MODEL_DIR: 'models/not-here' }, undefined), relative.model.dir);
  assert.equal(commandModelDir({}, undefined), loadConfig(brokers).model.dir);
  assert.ok(isAbsolute(commandModelDir({}, undefined)));
});
