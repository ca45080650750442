// The worker against the stack's SASL/SCRAM Kafka listener and its password-protected Redis: it works with
// credentials, and is refused without them (Kafka: authentication failure; Redis: AUTH failure at start).
// Also Redis over TLS (rediss:// with a CA file) against a throwaway TLS redis-server with a test CA.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import {
  countKeysWithPrefix,
  createTestKafka,
  createTestRedis,
  deleteKeysWithPrefix,
  deleteTestTopics,
  requireKafka,
  requireRedis,
  testStackSettings,
  waitFor,
} from '@modstream/testkit';
import {
  OutputCollector,
  freePort,
  killWorker,
  makeEvents,
  produceEvents,
  startWorker,
  workerSetup,
  type WorkerProcess,
} from './worker-harness.js';

const stack = testStackSettings();
/** The password-protected Redis, without the password: the worker gets it from MODSTREAM_REDIS_PASSWORD. */
const redisAuthUrl = new URL(stack.redisAuthUrl);
const redisPassword = decodeURIComponent(redisAuthUrl.password);
redisAuthUrl.password = '';
redisAuthUrl.username = '';

before(async () => {
  await requireKafka(stack.kafkaBrokers);
  await requireRedis(stack.redisAuthUrl);
});

function secureEnv(env: Record<string, string>, mechanism: string): Record<string, string> {
  return {
    ...env,
    MODSTREAM_KAFKA_BROKERS: stack.kafkaSaslBrokers.join(','),
    MODSTREAM_KAFKA_SASL_MECHANISM: mechanism,
    MODSTREAM_KAFKA_SASL_USERNAME: stack.kafkaSasl.username,
    MODSTREAM_KAFKA_SASL_PASSWORD: stack.kafkaSasl.password,
    MODSTREAM_REDIS_URL: redisAuthUrl.toString(),
    MODSTREAM_REDIS_PASSWORD: redisPassword,
    MODSTREAM_INFERENCE_SESSIONS: '1',
  };
}

interface LoggedError {
  msg: string;
  /** The error's class name (pino's serializer calls it `type`). */
  errorName?: string;
}

/** The worker's error-level JSON log lines. */
function errorLogs(worker: WorkerProcess): LoggedError[] {
  return worker.logs.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as {
        level?: unknown;
        msg: string;
        err?: { name?: string; type?: string };
      };
      if (entry.level !== 'error' && entry.level !== 50) return [];
      return [{ msg: entry.msg, errorName: entry.err?.name ?? entry.err?.type }];
    } catch {
      return [];
    }
  });
}

/** Exits non-zero without ever reporting ready; returns its exit code. */
async function expectRefused(worker: WorkerProcess, timeoutMs: number): Promise<number> {
  let everReady = false;
  const exit = await waitFor(
    async () => {
      if (worker.child.exitCode !== null) return { code: worker.child.exitCode };
      const ready = await fetch(`http://127.0.0.1:${worker.port}/readyz`).then(
        (response) => response.status === 200,
        () => false,
      );
      everReady ||= ready;
      return undefined;
    },
    { timeoutMs, intervalMs: 100, message: 'worker exit after a refused connection' },
  );
  assert.equal(everReady, false, 'the worker must never report ready');
  assert.notEqual(exit.code, 0, `the worker must exit non-zero:\n${worker.logs.slice(-20).join('\n')}`);
  return exit.code;
}

for (const mechanism of ['scram-sha-256', 'scram-sha-512']) {
  test(`with credentials (Kafka SASL ${mechanism}, Redis AUTH) the worker labels events and caches them`, async (t) => {
    const kafka = createTestKafka();
    const { topics, env } = await workerSetup(kafka, `secure-${mechanism}`, 2);
    t.after(() => deleteTestTopics(...Object.values(topics)));
    const redis = createTestRedis(stack.redisAuthUrl);
    t.after(async () => {
      await deleteKeysWithPrefix(redis, env.MODSTREAM_CACHE_KEY_PREFIX!);
      redis.disconnect();
    });

    const worker = await startWorker(secureEnv(env, mechanism));
    t.after(() => killWorker(worker));
    await worker.waitReady();
    const collector = new OutputCollector(kafka, topics);
    await collector.start();
    t.after(() => collector.stop());

    const events = makeEvents(20, { idPrefix: 's', seed: 7 });
    await produceEvents(kafka, topics.input, events);
    await collector.waitForIds(
      events.map((event) => event.id),
      60_000,
    );
    assert.equal(collector.labeled.length, events.length);
    assert.equal(collector.deadLetters.length, 0);
    for (const labeled of collector.labeled) assert.equal(Object.keys(labeled.scores).length, 10);

    // The labels went into the password-protected Redis: the cache was used, not bypassed.
    const cached = await waitFor(
      async () => {
        const keys = await countKeysWithPrefix(redis, env.MODSTREAM_CACHE_KEY_PREFIX!);
        return keys >= events.length ? keys : 0;
      },
      { timeoutMs: 10_000, message: 'cache entries in the password-protected Redis' },
    );
    assert.ok(cached >= events.length);

    worker.child.kill('SIGTERM');
    assert.deepEqual(await worker.exited, { code: 0, signal: null });
  });
}

test('a wrong Kafka SASL password is refused: authentication error logged, non-zero exit, never ready', async (t) => {
  const kafka = createTestKafka();
  const { topics, env } = await workerSetup(kafka, 'secure-kafka-wrong', 1);
  t.after(() => deleteTestTopics(...Object.values(topics)));

  const worker = await startWorker({
    ...secureEnv(env, 'scram-sha-512'),
    MODSTREAM_KAFKA_SASL_PASSWORD: 'not-the-password',
  });
  t.after(() => killWorker(worker));
  await expectRefused(worker, 60_000);
  const errors = errorLogs(worker);
  assert.ok(
    errors.some((entry) => entry.errorName === 'KafkaJSSASLAuthenticationError'),
    `expected a KafkaJSSASLAuthenticationError in the log:\n${worker.logs.slice(-20).join('\n')}`,
  );
});

test('a missing Kafka SASL password is a configuration error naming the variable', async (t) => {
  const kafka = createTestKafka();
  const { topics, env } = await workerSetup(kafka, 'secure-kafka-missing', 1);
  t.after(() => deleteTestTopics(...Object.values(topics)));

  const { MODSTREAM_KAFKA_SASL_PASSWORD: _omitted, ...withoutPassword } = secureEnv(env, 'scram-sha-256');
  const worker = await startWorker(withoutPassword);
  t.after(() => killWorker(worker));
  assert.equal(await expectRefused(worker, 30_000), 2);
  assert.ok(
    worker.logs.some((line) => line.includes('MODSTREAM_KAFKA_SASL_PASSWORD')),
    `expected the missing variable in the log:\n${worker.logs.join('\n')}`,
  );
});

for (const [name, password] of [
  ['wrong', 'not-the-password'],
  ['missing', ''],
] as const) {
  test(`a ${name} Redis password is refused at start: AUTH error logged, non-zero exit, never ready`, async (t) => {
    const kafka = createTestKafka();
    const { topics, env } = await workerSetup(kafka, `secure-redis-${name}`, 1);
    t.after(() => deleteTestTopics(...Object.values(topics)));

    const worker = await startWorker({
      ...secureEnv(env, 'scram-sha-256'),
      MODSTREAM_REDIS_PASSWORD: password,
    });
    t.after(() => killWorker(worker));
    await expectRefused(worker, 60_000);
    assert.ok(
      errorLogs(worker).some((entry) => entry.errorName === 'RedisAuthError'),
      `expected a RedisAuthError in the log:\n${worker.logs.slice(-20).join('\n')}`,
    );
  });
}

/** A CA and a server certificate for 127.0.0.1, made with openssl for one test. */
async function makeTestCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const openssl = (...args: string[]) => promisify(execFile)('openssl', args, { cwd: dir });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=modstream test CA',
  );
  await openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

/** A redis-server that only speaks TLS, with a password; never the shared stack's Redis. */
function startTlsRedis(
  port: number,
  files: { ca: string; cert: string; key: string },
  password: string,
): ChildProcess {
  return spawn(
    'redis-server',
    [
      ...['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1'],
      ...['--tls-cert-file', files.cert, '--tls-key-file', files.key, '--tls-ca-cert-file', files.ca],
      ...['--tls-auth-clients', 'no', '--requirepass', password, '--save', '', '--appendonly', 'no'],
    ],
    { stdio: 'ignore' },
  );
}

test('Redis over TLS (rediss:// with a CA file) and AUTH: the worker caches through it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'modstream-redis-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const files = await makeTestCertificates(dir);
  const port = await freePort();
  const password = 'tls-test-secret';
  const server = startTlsRedis(port, files, password);
  t.after(async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
  });
  const url = `rediss://127.0.0.1:${port}`;
  const redis = createTestRedis(url, { password, tls: { ca: await readFile(files.ca) } });
  t.after(() => redis.disconnect());
  await waitFor(async () => (await redis.ping()) === 'PONG', {
    timeoutMs: 10_000,
    message: 'TLS redis-server',
  });

  const kafka = createTestKafka();
  const { topics, env } = await workerSetup(kafka, 'secure-redis-tls', 1);
  t.after(() => deleteTestTopics(...Object.values(topics)));
  const worker = await startWorker({
    ...secureEnv(env, 'scram-sha-512'),
    MODSTREAM_REDIS_URL: url,
    MODSTREAM_REDIS_PASSWORD: password,
    MODSTREAM_REDIS_TLS_CA_FILE: files.ca,
  });
  t.after(() => killWorker(worker));
  await worker.waitReady();
  const collector = new OutputCollector(kafka, topics);
  await collector.start();
  t.after(() => collector.stop());

  const events = makeEvents(10, { idPrefix: 't', seed: 11 });
  await produceEvents(kafka, topics.input, events);
  await collector.waitForIds(
    events.map((event) => event.id),
    60_000,
  );
  const cached = await waitFor(
    async () => {
      const keys = await countKeysWithPrefix(redis, env.MODSTREAM_CACHE_KEY_PREFIX!);
      return keys >= events.length ? keys : 0;
    },
    { timeoutMs: 10_000, message: 'cache entries in the TLS Redis' },
  );
  assert.ok(cached >= events.length);
  assert.ok(
    !worker.logs.some((line) => line.includes('cache bypassed')),
    'the worker must not have bypassed the TLS Redis',
  );
});
