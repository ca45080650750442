import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';
import { hashPassword } from './password.js';

let usersJson: string;
before(async () => {
  const hash = await hashPassword('secret', { N: 1024, r: 8, p: 1 });
  usersJson = JSON.stringify({ users: [{ id: 'alice', name: 'Alice', password_hash: hash }] });
});

const files = (content: Record<string, string>) => (file: string) => {
  const text = content[file];
  if (text === undefined) throw new Error(`ENOENT: no such file, open '${file}'`);
  return text;
};

const base = () => ({
  MODSTREAM_KAFKA_BROKERS: 'k1:9092,k2:9092',
  MODSTREAM_REVIEW_USERS_FILE: '/etc/users.json',
});

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

test('defaults: brokers and the users file are all that is required', () => {
  const config = loadConfig(base(), files({ '/etc/users.json': usersJson }));
  assert.deepEqual(config.kafka.brokers, ['k1:9092', 'k2:9092']);
  assert.equal(config.kafka.clientId, 'modstream-review');
  assert.deepEqual(config.queueTopics, ['comments.review.priority', 'comments.review']);
  assert.equal(config.decisionsTopic, 'comments.decisions');
  assert.equal(config.deadLetterTopic, 'comments.decisions.dlq');
  assert.equal(config.http.port, 8080);
  assert.equal(config.http.cookieSecure, true);
  assert.equal(config.createTopics, false);
  assert.deepEqual(config.workerMetricsUrls, []);
  assert.deepEqual(
    config.users.map((user) => [user.id, user.name]),
    [['alice', 'Alice']],
  );
  assert.equal(config.kafka.sasl, undefined);
  assert.equal(config.kafka.tls, undefined);
});

test('settings are read from their variables', () => {
  const config = loadConfig(
    {
      ...base(),
      MODSTREAM_REVIEW_QUEUE_TOPICS: ' q.high , q.low,,q.high',
      MODSTREAM_REVIEW_DECISIONS_TOPIC: 'd',
      MODSTREAM_REVIEW_DLQ_TOPIC: 'd.dlq',
      MODSTREAM_REVIEW_HTTP_PORT: '0',
      MODSTREAM_REVIEW_COOKIE_SECURE: 'false',
      MODSTREAM_REVIEW_CREATE_TOPICS: 'yes',
      MODSTREAM_REVIEW_WORKER_METRICS_URL: 'http://worker-0:9464/metrics, http://worker-1:9464/metrics',
      MODSTREAM_REVIEW_SESSION_IDLE_MINUTES: '5',
      MODSTREAM_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      MODSTREAM_KAFKA_SASL_USERNAME: 'u',
      MODSTREAM_KAFKA_SASL_PASSWORD: 'p',
    },
    files({ '/etc/users.json': usersJson }),
  );
  assert.deepEqual(config.queueTopics, ['q.high', 'q.low'], 'trimmed, empty entries and repeats dropped');
  assert.equal(config.decisionsTopic, 'd');
  assert.equal(config.deadLetterTopic, 'd.dlq');
  assert.equal(config.http.port, 0);
  assert.equal(config.http.cookieSecure, false);
  assert.equal(config.http.sessionIdleMs, 5 * 60_000);
  assert.equal(config.createTopics, true);
  assert.deepEqual(config.workerMetricsUrls, [
    'http://worker-0:9464/metrics',
    'http://worker-1:9464/metrics',
  ]);
  assert.deepEqual(config.kafka.sasl, { mechanism: 'scram-sha-512', username: 'u', password: 'p' });
});

test('every problem is reported at once, each naming its variable', () => {
  const problems = problemsOf(() =>
    loadConfig(
      {
        MODSTREAM_KAFKA_BROKERS: 'no-port',
        MODSTREAM_REVIEW_HTTP_PORT: '70000',
        MODSTREAM_REVIEW_COOKIE_SECURE: 'maybe',
        MODSTREAM_REVIEW_WORKER_METRICS_URL: 'ftp://worker/metrics',
        MODSTREAM_REVIEW_QUEUE_TOPICS: 'ok,bad topic',
        MODSTREAM_KAFKA_SASL_MECHANISM: 'plain',
      },
      files({}),
    ),
  );
  const joined = problems.join('\n');
  for (const variable of [
    'MODSTREAM_KAFKA_BROKERS',
    'MODSTREAM_REVIEW_HTTP_PORT',
    'MODSTREAM_REVIEW_COOKIE_SECURE',
    'MODSTREAM_REVIEW_WORKER_METRICS_URL',
    'MODSTREAM_REVIEW_QUEUE_TOPICS',
    'MODSTREAM_KAFKA_SASL_USERNAME',
    'MODSTREAM_KAFKA_SASL_PASSWORD',
    'MODSTREAM_REVIEW_USERS_FILE: required',
  ]) {
    assert.match(joined, new RegExp(variable), `${variable} missing from:\n${joined}`);
  }
});

test('brokers are required', () => {
  const problems = problemsOf(() =>
    loadConfig({ MODSTREAM_REVIEW_USERS_FILE: '/etc/users.json' }, files({ '/etc/users.json': usersJson })),
  );
  assert.deepEqual(problems, ['MODSTREAM_KAFKA_BROKERS: required (comma-separated host:port list)']);
});

test('the decisions and dead-letter topics must be distinct from each other and from the queues', () => {
  const problems = problemsOf(() =>
    loadConfig(
      {
        ...base(),
        MODSTREAM_REVIEW_QUEUE_TOPICS: 'q,d',
        MODSTREAM_REVIEW_DECISIONS_TOPIC: 'd',
        MODSTREAM_REVIEW_DLQ_TOPIC: 'd',
      },
      files({ '/etc/users.json': usersJson }),
    ),
  );
  assert.ok(problems.some((p) => p.startsWith('MODSTREAM_REVIEW_DLQ_TOPIC: must differ')));
  assert.ok(problems.some((p) => p.includes('d is also the decisions or dead-letter topic')));
});

test('users file problems are reported with the rest, without echoing hashes', () => {
  const unreadable = problemsOf(() => loadConfig(base(), files({})));
  assert.match(unreadable.join('\n'), /MODSTREAM_REVIEW_USERS_FILE: cannot read \/etc\/users.json/);

  const notJson = problemsOf(() => loadConfig(base(), files({ '/etc/users.json': '{"users": [' })));
  assert.match(notJson.join('\n'), /MODSTREAM_REVIEW_USERS_FILE: not JSON/);

  const bad = JSON.stringify({
    users: [
      { id: 'bob', password_hash: 'plaintext-oops' },
      { id: 'has space', password_hash: 'scrypt$1000$8$1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5' },
    ],
  });
  const problems = problemsOf(() =>
    loadConfig({ ...base(), MODSTREAM_REVIEW_HTTP_PORT: 'x' }, files({ '/etc/users.json': bad })),
  );
  const joined = problems.join('\n');
  assert.match(joined, /MODSTREAM_REVIEW_HTTP_PORT/);
  assert.match(joined, /users\.0\.password_hash: expected scrypt/);
  assert.match(joined, /users\.1\.id: expected 1-64 characters/);
  assert.match(joined, /users\.1\.password_hash: N must be a power of two/);
  assert.doesNotMatch(joined, /plaintext-oops/, 'a hash (or a pasted password) is never echoed');

  const duplicate = JSON.stringify({
    users: [JSON.parse(usersJson).users[0], JSON.parse(usersJson).users[0]],
  });
  assert.deepEqual(
    problemsOf(() => loadConfig(base(), files({ '/etc/users.json': duplicate }))),
    ['MODSTREAM_REVIEW_USERS_FILE: users: duplicate id alice'],
  );
  assert.deepEqual(
    problemsOf(() => loadConfig(base(), files({ '/etc/users.json': '{"users": []}' }))),
    ['MODSTREAM_REVIEW_USERS_FILE: users: at least one user'],
  );
});
