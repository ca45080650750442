// The review service over HTTP against the real broker: sign-in (login token, wrong password), CSRF on every
// POST, queue pages with texts fetched from the input topic (and a comment whose input is gone), decisions on
// the decisions topic with the signed-in moderator, first decision wins across moderators, an unknown comment,
// a malformed decision event dead-lettered while the service goes on, live precision in /api/overview and
// /metrics, and a clean stop on SIGTERM.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeDecision, encodeReview, type DecisionEvent } from '@modstream/events';
import {
  createTopics,
  deleteRecordsBefore,
  readTopic,
  withAdmin,
  type ConsumedRecord,
} from '@modstream/kafka-io';
import {
  createTestKafka,
  deleteTestTopics,
  produceToTopic,
  requireStack,
  testStackSettings,
  uniqueName,
  waitFor,
} from '@modstream/testkit';
import {
  killReviewService,
  startReviewService,
  writeUsersFile,
  type ReviewProcess,
} from './review-harness.js';

const ALICE = { id: 'alice', name: 'Alice', password: 'alice-passphrase' };
const BOB = { id: 'bob', name: 'Bob', password: 'bob-passphrase' };
const SCORES = { aspersion: 0.1, namecalling: 0.95, sarcasm: 0.7, vulgarity: 0.2 };

const base = uniqueName('review-svc');
const topics = {
  input: `${base}.comments`,
  priority: `${base}.review.priority`,
  review: `${base}.review`,
  decisions: `${base}.decisions`,
  dlq: `${base}.decisions.dlq`,
};
const kafka = createTestKafka();
let service: ReviewProcess;

/** A browser-like client: keeps cookies, never follows redirects. */
class Client {
  readonly cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(`${this.baseUrl}${path}`, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = (pair ?? '').split('=');
      if (name === undefined || value === undefined) continue;
      if (value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  form(path: string, fields: Record<string, string>): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async signIn(user: { id: string; password: string }): Promise<Response> {
    const page = await (await this.request('/login')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    assert.ok(csrf, 'the login form carries a token');
    return this.form('/login', { csrf, username: user.id, password: user.password });
  }

  async csrf(): Promise<string> {
    const page = await (await this.request('/overview')).text();
    const token = /<meta name="csrf-token" content="([^"]+)"/.exec(page)?.[1];
    assert.ok(token, 'signed-in pages carry the CSRF token');
    return token;
  }

  async decide(csrf: string | undefined, body: Record<string, unknown>): Promise<Response> {
    return this.request('/decisions', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }),
      },
      body: JSON.stringify(body),
    });
  }
}

async function readAll(topic: string): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  await readTopic(kafka, topic, { onRecord: (record) => void records.push(record) });
  return records;
}

function review(id: string, queue: string, priority: number, offset: number, labels: string[]) {
  return {
    key: id,
    value: encodeReview({
      id,
      queue,
      priority,
      labels,
      scores: SCORES,
      model_version: 'model-1',
      thresholds_version: 'thresholds-1',
      source: { topic: topics.input, partition: 0, offset: String(offset) },
    }),
  };
}

before(async () => {
  await requireStack();
  await withAdmin(kafka, (admin) =>
    createTopics(
      admin,
      Object.values(topics).map((topic) => ({ topic, partitions: 1 })),
    ),
  );
  // The input comments at offsets 0 to 3 of partition 0; offset 0 is then deleted (as retention would).
  await produceToTopic(kafka, topics.input, [
    { key: 'c-gone', value: JSON.stringify({ id: 'c-gone', text: 'This one was deleted.' }), partition: 0 },
    {
      key: 'c-low',
      value: JSON.stringify({ id: 'c-low', text: 'You are being sarcastic, friend.' }),
      partition: 0,
    },
    {
      key: 'c-high',
      value: JSON.stringify({ id: 'c-high', text: 'What an idiot <b>you</b> are.' }),
      partition: 0,
    },
    { key: 'c-mid', value: JSON.stringify({ id: 'c-mid', text: 'Nobody asked, clown.' }), partition: 0 },
  ]);
  await withAdmin(kafka, (admin) =>
    deleteRecordsBefore(admin, topics.input, [{ partition: 0, offset: '1' }]),
  );
  await produceToTopic(kafka, topics.review, [
    review('c-low', topics.review, 20, 1, ['sarcasm']),
    review('c-high', topics.review, 90, 2, ['namecalling']),
    review('c-mid', topics.review, 60, 3, ['namecalling', 'sarcasm']),
    review('c-gone', topics.review, 10, 0, ['namecalling']),
  ]);
  const usersFile = await writeUsersFile([ALICE, BOB]);
  service = await startReviewService({
    MODSTREAM_KAFKA_BROKERS: testStackSettings().kafkaBrokers.join(','),
    MODSTREAM_REVIEW_QUEUE_TOPICS: `${topics.priority},${topics.review}`,
    MODSTREAM_REVIEW_DECISIONS_TOPIC: topics.decisions,
    MODSTREAM_REVIEW_DLQ_TOPIC: topics.dlq,
    MODSTREAM_REVIEW_USERS_FILE: usersFile,
    MODSTREAM_REVIEW_COOKIE_SECURE: 'false',
    MODSTREAM_REVIEW_SCRAPE_INTERVAL_MS: '500',
  });
  await service.waitReady();
});

after(async () => {
  if (service !== undefined) await killReviewService(service);
  await deleteTestTopics(...Object.values(topics)).catch(() => undefined);
});

test('sign-in: anonymous requests are refused, a wrong password is a 401, the form token is required', async () => {
  const anonymous = new Client(service.baseUrl);
  const queue = await anonymous.request('/queue');
  assert.equal(queue.status, 303);
  assert.match(queue.headers.get('location') ?? '', /^\/login/);
  assert.equal((await anonymous.request('/api/overview')).status, 401);
  assert.equal((await anonymous.decide(undefined, { id: 'c-high', decision: 'remove' })).status, 401);
  assert.equal((await anonymous.request('/healthz')).status, 200);
  assert.equal((await anonymous.request('/readyz')).status, 200);

  const wrong = await anonymous.signIn({ id: 'alice', password: 'not-her-password' });
  assert.equal(wrong.status, 401);
  assert.match(await wrong.text(), /class="error"[^>]*>Wrong user name or password/);
  assert.equal(anonymous.cookies.has('modstream_review_session'), false);

  const forged = await new Client(service.baseUrl).form('/login', {
    username: 'alice',
    password: ALICE.password,
  });
  assert.equal(forged.status, 403);
  assert.match(await forged.text(), /Missing or invalid CSRF token/);
  assert.ok(
    service.logs.every((line) => !line.includes(ALICE.password) && !line.includes('not-her-password')),
    'passwords never reach the logs',
  );
});

test('queue, decisions, first decision wins, unknown comment, dead letter, precision, metrics', async () => {
  const alice = new Client(service.baseUrl);
  const signedIn = await alice.signIn(ALICE);
  assert.equal(signedIn.status, 303);
  assert.equal(signedIn.headers.get('location'), '/queue');
  const setCookie = signedIn.headers
    .getSetCookie()
    .find((line) => line.startsWith('modstream_review_session='));
  assert.match(setCookie ?? '', /HttpOnly/i);
  assert.match(setCookie ?? '', /SameSite=Strict/i);

  // The queue: most urgent first, texts from the input topic (escaped), the gone comment shown as gone.
  const page = await (await alice.request(`/queue?name=${encodeURIComponent(topics.review)}`)).text();
  const ids = [...page.matchAll(/<li\s+class="queue-item"\s+data-id="([^"]+)"/g)].map((match) => match[1]);
  assert.deepEqual(ids, ['c-high', 'c-mid', 'c-low', 'c-gone']);
  assert.match(page, /class="comment-text">What an idiot &lt;b&gt;you&lt;\/b&gt; are\.</);
  assert.match(page, /class="comment-text">Nobody asked, clown\.</);
  const gone = page.slice(page.indexOf('data-id="c-gone"'));
  assert.match(gone, /class="comment-gone"/);
  assert.doesNotMatch(gone.slice(0, gone.indexOf('</li>')), /comment-text/);
  assert.match(page, /thresholds-version">thresholds-1</);

  const csrf = await alice.csrf();
  const noToken = await alice.decide(undefined, { id: 'c-high', decision: 'remove' });
  assert.equal(noToken.status, 403);
  assert.match(((await noToken.json()) as { message: string }).message, /CSRF/);

  // Alice removes c-high (confirms namecalling) and relabels c-mid to sarcasm only.
  const removed = await alice.decide(csrf, { id: 'c-high', decision: 'remove' });
  assert.equal(removed.status, 200, await removed.clone().text());
  assert.deepEqual(await removed.json(), {
    status: 'decided',
    id: 'c-high',
    decision: 'remove',
    moderator: 'alice',
  });
  const relabeled = await alice.decide(csrf, { id: 'c-mid', decision: 'relabel', labels: ['sarcasm'] });
  assert.equal(relabeled.status, 200);
  const invalid = await alice.decide(csrf, { id: 'c-low', decision: 'relabel', labels: [] });
  assert.equal(invalid.status, 400);
  const unknown = await alice.decide(csrf, { id: 'no-such-comment', decision: 'approve' });
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { status: string }).status, 'unknown_comment');

  // Bob decides c-high too: the first decision stands and he is told whose it is.
  const bob = new Client(service.baseUrl);
  assert.equal((await bob.signIn(BOB)).status, 303);
  const bobCsrf = await bob.csrf();
  assert.notEqual(bobCsrf, csrf, 'each session has its own token');
  assert.equal(
    (await bob.decide(csrf, { id: 'c-low', decision: 'approve' })).status,
    403,
    "alice's token is not bob's",
  );
  const late = await bob.decide(bobCsrf, { id: 'c-high', decision: 'approve' });
  assert.equal(late.status, 409);
  const lateBody = (await late.json()) as { message: string };
  assert.equal(lateBody.message, 'already decided by alice');
  const approved = await bob.form('/decisions', {
    csrf: bobCsrf,
    id: 'c-low',
    decision: 'approve',
    queue: topics.review,
  });
  assert.equal(approved.status, 303, 'a form post goes back to the queue');

  // The decisions topic holds exactly the three first decisions, each with its moderator.
  let decisions: DecisionEvent[] = [];
  await waitFor(
    async () => {
      decisions = (await readAll(topics.decisions)).flatMap((record) => {
        const decoded = decodeDecision(record.value);
        return decoded.ok ? [decoded.event] : [];
      });
      return decisions.length >= 3;
    },
    { timeoutMs: 30_000, intervalMs: 250, message: 'three decisions on the topic' },
  );
  assert.deepEqual(
    decisions.map((d) => [d.id, d.decision, d.moderator, d.labels, d.flagged_labels]).sort(),
    [
      ['c-high', 'remove', 'alice', ['namecalling'], ['namecalling']],
      ['c-low', 'approve', 'bob', [], ['sarcasm']],
      ['c-mid', 'relabel', 'alice', ['sarcasm'], ['namecalling', 'sarcasm']],
    ].sort(),
  );
  for (const decision of decisions) {
    assert.equal(decision.model_version, 'model-1');
    assert.equal(decision.thresholds_version, 'thresholds-1');
    assert.equal(decision.source.topic, topics.input);
  }

  // Decided comments left the queue for every moderator.
  const after = await (await bob.request(`/queue?name=${encodeURIComponent(topics.review)}`)).text();
  assert.deepEqual(
    [...after.matchAll(/<li\s+class="queue-item"\s+data-id="([^"]+)"/g)].map((match) => match[1]),
    ['c-gone'],
  );

  // A malformed decision event on the topic is dead-lettered; the service goes on.
  await produceToTopic(kafka, topics.decisions, [
    { key: 'c-gone', value: '{"schema":"modstream.decision.v1","id":' },
  ]);
  await waitFor(async () => (await readAll(topics.dlq)).length >= 1, {
    timeoutMs: 30_000,
    intervalMs: 250,
    message: 'the malformed decision dead-lettered',
  });
  const [deadLetter] = await readAll(topics.dlq);
  assert.equal(JSON.parse(deadLetter!.value!.toString('utf8')).reason, 'decision_invalid');
  assert.equal((await alice.request('/healthz')).status, 200);

  // Live precision: namecalling flagged twice (c-high kept, c-mid dropped), sarcasm twice (c-mid kept, c-low not).
  const overview = (await (await alice.request('/api/overview')).json()) as {
    precision: { label: string; flagged: number; confirmed: number; precision: number }[];
    queueDepths: { t: number[] };
  };
  const row = (label: string) => overview.precision.find((r) => r.label === label)!;
  assert.deepEqual(
    [row('namecalling').flagged, row('namecalling').confirmed, row('namecalling').precision],
    [2, 1, 0.5],
  );
  assert.deepEqual([row('sarcasm').flagged, row('sarcasm').confirmed], [2, 1]);
  assert.ok(Array.isArray(overview.queueDepths.t));
  const overviewPage = await (await alice.request('/overview')).text();
  assert.match(
    overviewPage,
    /<tr\s+data-label="namecalling"[\s\S]*?<td class="flagged">2<\/td>\s*<td class="confirmed">1<\/td>\s*<td class="precision">50\.0 %<\/td>/,
  );
  assert.match(overviewPage, /<canvas|class="chart-area"/);

  const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
  assert.match(metrics, /^modstream_review_decisions_total\{decision="remove",outcome="decided"\} 1$/m);
  assert.match(
    metrics,
    /^modstream_review_decisions_total\{decision="approve",outcome="already_decided"\} 1$/m,
  );
  assert.match(
    metrics,
    /^modstream_review_precision\{label="namecalling",model_version="model-1",thresholds_version="thresholds-1"\} 0\.5$/m,
  );
  assert.match(
    metrics,
    new RegExp(`^modstream_review_queue_depth\\{queue="${topics.review.replaceAll('.', '\\.')}"\\} 1$`, 'm'),
  );

  // A comment whose input is gone can still be decided (the feedback export skips it for want of text).
  const goneDecided = await alice.decide(csrf, { id: 'c-gone', decision: 'approve' });
  assert.equal(goneDecided.status, 200);

  // Signing out needs the token, then the session is over.
  assert.equal((await alice.form('/logout', {})).status, 403);
  assert.equal((await alice.form('/logout', { csrf })).status, 303);
  assert.equal((await alice.request('/queue')).status, 303);

  for (const text of ['What an idiot', 'Nobody asked', 'sarcastic, friend']) {
    assert.ok(
      service.logs.every((line) => !line.includes(text)),
      `comment text in the logs: ${text}`,
    );
  }
});

test('SIGTERM stops the service cleanly', async () => {
  service.child.kill('SIGTERM');
  const { code } = await service.exited;
  assert.equal(code, 0, service.logs.slice(-20).join('\n'));
  assert.ok(service.logs.some((line) => line.includes('"msg":"stopped"')));
});
