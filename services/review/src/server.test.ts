import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLogger } from '@modstream/telemetry';
import type { LightMyRequestResponse } from 'fastify';
import { hashPassword } from './password.js';
import {
  createReviewServer,
  LOGIN_COOKIE,
  SESSION_COOKIE,
  type BoardItem,
  type DecideOutcome,
  type DecisionMaker,
} from './server.js';
import { SessionStore } from './sessions.js';
import { UserDirectory } from './users.js';

const items: BoardItem[] = [
  {
    id: 'c-1',
    queue: 'review',
    priority: 0.9,
    labels: ['namecalling'],
    scores: { namecalling: 0.93, sarcasm: 0.1 },
    modelVersion: 'm1',
    thresholdsVersion: 't1',
    source: { topic: 'comments', partition: 0, offset: '5' },
    flaggedAt: Date.now() - 120_000,
  },
  {
    id: 'c-2',
    queue: 'review',
    priority: 0.5,
    labels: ['sarcasm'],
    scores: { namecalling: 0.2, sarcasm: 0.7 },
    modelVersion: 'm1',
    thresholdsVersion: 't1',
    source: { topic: 'comments', partition: 0, offset: '6' },
    flaggedAt: Date.now() - 60_000,
  },
];

const decided = new Map<string, string>();
const deskCalls: unknown[] = [];
const desk: DecisionMaker = {
  decide: async (request): Promise<DecideOutcome> => {
    deskCalls.push(request);
    if (!items.some((item) => item.id === request.id)) return { status: 'unknown_comment' };
    const by = decided.get(request.id);
    if (by !== undefined) return { status: 'already_decided', event: { moderator: by, decision: 'approve' } };
    decided.set(request.id, request.moderator);
    return { status: 'decided', event: { moderator: request.moderator, decision: request.decision } };
  },
};

let app: Awaited<ReturnType<typeof createReviewServer>>;
before(async () => {
  const users = new UserDirectory([
    { id: 'alice', name: 'Alice', passwordHash: await hashPassword('alice-pw', { N: 1024, r: 8, p: 1 }) },
  ]);
  app = await createReviewServer({
    board: {
      queue: (name) => items.filter((item) => item.queue === name && !decided.has(item.id)),
      queues: () => [{ name: 'review', depth: items.filter((item) => !decided.has(item.id)).length }],
    },
    precision: () => [],
    desk,
    texts: {
      get: async () =>
        new Map<string, { text: string } | { gone: true }>([
          ['comments:0:5', { text: 'you are a <script>alert(1)</script> fool' }],
          ['comments:0:6', { gone: true }],
        ]),
    },
    users,
    sessions: new SessionStore({ idleMs: 60_000, maxAgeMs: 3_600_000 }),
    queueTopics: ['priority', 'review'],
    queuePageSize: 50,
    cookieSecure: true,
    assets: { 'review.css': { type: 'text/css', body: Buffer.from('body{}') } },
    logger: createLogger({ name: 'review-test', level: 'silent' }),
    ready: () => false,
    metricsHandler: (_request, response) => response.end('modstream_review_decisions_total 0\n'),
    overview: () => ({ worker: { points: [] } }),
    workerMetricsConfigured: false,
  });
});
after(() => app.close());

function cookie(response: LightMyRequestResponse, name: string) {
  return response.cookies.find((c) => c.name === name);
}

const form = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(key, v);
  return body.toString();
};

async function signIn(password = 'alice-pw') {
  const page = await app.inject({ method: 'GET', url: '/login' });
  const loginToken = cookie(page, LOGIN_COOKIE)!.value;
  const response = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    cookies: { [LOGIN_COOKIE]: loginToken },
    payload: form({ csrf: loginToken, username: 'alice', password }),
  });
  return { response, session: cookie(response, SESSION_COOKIE)?.value };
}

async function csrfOf(session: string): Promise<string> {
  const page = await app.inject({
    method: 'GET',
    url: '/queue?name=review',
    cookies: { [SESSION_COOKIE]: session },
  });
  const token = /<meta name="csrf-token" content="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(token, 'the page carries the CSRF token');
  return token;
}

test('nothing but sign-in, health, readiness, metrics and assets is open without a session', async () => {
  const page = await app.inject({ method: 'GET', url: '/queue?name=review' });
  assert.equal(page.statusCode, 303);
  assert.equal(page.headers.location, '/login?next=%2Fqueue%3Fname%3Dreview');
  for (const url of ['/', '/overview']) {
    assert.equal((await app.inject({ method: 'GET', url })).statusCode, 303, url);
  }
  const api = await app.inject({ method: 'GET', url: '/api/overview' });
  assert.equal(api.statusCode, 401);
  assert.equal(api.json().error, 'unauthenticated');
  const post = await app.inject({
    method: 'POST',
    url: '/decisions',
    payload: { id: 'c-1', decision: 'approve' },
  });
  assert.equal(post.statusCode, 401);
  assert.equal(deskCalls.length, 0);

  assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503, 'not caught up');
  assert.match(
    (await app.inject({ method: 'GET', url: '/metrics' })).body,
    /modstream_review_decisions_total/,
  );
  assert.equal((await app.inject({ method: 'GET', url: '/assets/review.css' })).statusCode, 200);
  const login = await app.inject({ method: 'GET', url: '/login' });
  assert.equal(login.statusCode, 200);
  assert.match(login.headers['content-security-policy'] as string, /script-src 'self'/);
  assert.match(login.body, /<input id="username" name="username"/);
  assert.match(login.body, /name="password" type="password"/);
});

test('sign-in needs the login form token; a wrong password is a 401 with an error', async () => {
  const noToken = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ username: 'alice', password: 'alice-pw' }),
  });
  assert.equal(noToken.statusCode, 403);
  assert.match(noToken.body, /class="error"[^>]*>Missing or invalid CSRF token/);
  assert.equal(cookie(noToken, SESSION_COOKIE), undefined);

  const wrong = await signIn('not-the-password');
  assert.equal(wrong.response.statusCode, 401);
  assert.match(wrong.response.body, /class="error"[^>]*>Wrong user name or password\./);
  assert.equal(wrong.session, undefined);
});

test('a signed-in moderator gets an HttpOnly, SameSite=Strict, Secure session cookie', async () => {
  const { response, session } = await signIn();
  assert.equal(response.statusCode, 303);
  assert.equal(response.headers.location, '/queue');
  const sessionCookie = cookie(response, SESSION_COOKIE)!;
  assert.ok(session);
  assert.equal(sessionCookie.httpOnly, true);
  assert.equal(sessionCookie.sameSite, 'Strict');
  assert.equal(sessionCookie.secure, true);
  assert.equal(sessionCookie.path, '/');
});

test('the queue page: items in order with hooks, escaped text, gone text shown as gone', async () => {
  const { session } = await signIn();
  const page = await app.inject({
    method: 'GET',
    url: '/queue?name=review',
    cookies: { [SESSION_COOKIE]: session! },
  });
  assert.equal(page.statusCode, 200);
  assert.equal(page.headers['cache-control'], 'no-store');
  const ids = [
    ...page.body.matchAll(/<li\s+class="queue-item"\s+data-id="([^"]+)"\s+data-priority="([^"]+)"/g),
  ];
  assert.deepEqual(
    ids.map((match) => [match[1], match[2]]),
    [
      ['c-1', '0.9'],
      ['c-2', '0.5'],
    ],
  );
  assert.match(page.body, /class="comment-text">you are a &lt;script&gt;alert\(1\)&lt;\/script&gt; fool</);
  assert.doesNotMatch(page.body, /<script>alert/);
  assert.match(page.body, /class="comment-gone"/);
  assert.match(page.body, /<input type="checkbox" name="labels" value="sarcasm" \/>/);
  for (const decision of ['approve', 'remove', 'relabel']) {
    assert.match(
      page.body,
      new RegExp(`<button type="submit" name="decision" value="${decision}" data-decision="${decision}">`),
    );
  }
  assert.match(page.body, /href="\/queue\?name=priority"/, 'a tab for every configured queue, even empty');
  const unknown = await app.inject({
    method: 'GET',
    url: '/queue?name=nope',
    cookies: { [SESSION_COOKIE]: session! },
  });
  assert.equal(unknown.statusCode, 404);
});

test('decisions need the session CSRF token and record the signed-in moderator', async () => {
  const { session } = await signIn();
  const cookies = { [SESSION_COOKIE]: session! };
  const csrf = await csrfOf(session!);
  const calls = deskCalls.length;

  const missing = await app.inject({
    method: 'POST',
    url: '/decisions',
    cookies,
    payload: { id: 'c-1', decision: 'remove' },
  });
  assert.equal(missing.statusCode, 403);
  assert.deepEqual(missing.json(), {
    error: 'csrf',
    message: 'Missing or invalid CSRF token: reload the page and try again.',
  });
  const wrong = await app.inject({
    method: 'POST',
    url: '/decisions',
    cookies,
    headers: { 'x-csrf-token': `${csrf}x` },
    payload: { id: 'c-1', decision: 'remove' },
  });
  assert.equal(wrong.statusCode, 403);
  const formMissing = await app.inject({
    method: 'POST',
    url: '/decisions',
    cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ id: 'c-1', decision: 'remove' }),
  });
  assert.equal(formMissing.statusCode, 403);
  assert.match(formMissing.body, /class="error"[^>]*>Missing or invalid CSRF token/);
  assert.equal(deskCalls.length, calls, 'nothing reached the desk');

  const ok = await app.inject({
    method: 'POST',
    url: '/decisions',
    cookies,
    headers: { 'x-csrf-token': csrf },
    payload: { id: 'c-1', decision: 'relabel', labels: ['sarcasm'], moderator: 'mallory' },
  });
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.json(), { status: 'decided', id: 'c-1', decision: 'relabel', moderator: 'alice' });
  assert.deepEqual(deskCalls.at(-1), {
    id: 'c-1',
    decision: 'relabel',
    labels: ['sarcasm'],
    moderator: 'alice',
  });

  const again = await app.inject({
    method: 'POST',
    url: '/decisions',
    cookies,
    headers: { 'x-csrf-token': csrf },
    payload: { id: 'c-1', decision: 'approve' },
  });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().message, 'already decided by alice');

  const viaForm = await app.inject({
    method: 'POST',
    url: '/decisions',
    cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ csrf, id: 'c-2', decision: 'approve', queue: 'review' }),
  });
  assert.equal(viaForm.statusCode, 303);
  assert.equal(viaForm.headers.location, '/queue?name=review');
  assert.deepEqual(deskCalls.at(-1), { id: 'c-2', decision: 'approve', labels: [], moderator: 'alice' });

  const formAgain = await app.inject({
    method: 'POST',
    url: '/decisions',
    cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ csrf, id: 'c-2', decision: 'remove', queue: 'review' }),
  });
  assert.equal(formAgain.statusCode, 409);
  assert.match(formAgain.body, /class="notice"[^>]*>Comment c-2: already decided by alice\./);

  const unknown = await app.inject({
    method: 'POST',
    url: '/decisions',
    cookies,
    headers: { 'x-csrf-token': csrf },
    payload: { id: 'no-such-comment', decision: 'approve' },
  });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().status, 'unknown_comment');

  for (const payload of [
    { decision: 'approve' },
    { id: 'c-1', decision: 'delete' },
    { id: 'c-1', decision: 'relabel', labels: [1] },
  ]) {
    const bad = await app.inject({
      method: 'POST',
      url: '/decisions',
      cookies,
      headers: { 'x-csrf-token': csrf },
      payload,
    });
    assert.equal(bad.statusCode, 400, JSON.stringify(payload));
    assert.equal(bad.json().status, 'invalid');
  }
  const notJson = await app.inject({
    method: 'POST',
    url: '/decisions',
    cookies,
    headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' },
    payload: '{"id": ',
  });
  assert.equal(notJson.statusCode, 400);
});

test('signing out needs the token and ends the session', async () => {
  const { session } = await signIn();
  const cookies = { [SESSION_COOKIE]: session! };
  const csrf = await csrfOf(session!);
  const refused = await app.inject({
    method: 'POST',
    url: '/logout',
    cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({}),
  });
  assert.equal(refused.statusCode, 403);
  assert.equal(
    (await app.inject({ method: 'GET', url: '/queue', cookies })).statusCode,
    200,
    'still signed in',
  );
  const out = await app.inject({
    method: 'POST',
    url: '/logout',
    cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: form({ csrf }),
  });
  assert.equal(out.statusCode, 303);
  assert.equal(out.headers.location, '/login');
  assert.equal((await app.inject({ method: 'GET', url: '/queue', cookies })).statusCode, 303, 'signed out');
});

test('sign-in returns only to local paths', async () => {
  const page = await app.inject({ method: 'GET', url: '/login?next=//evil.example/x' });
  assert.doesNotMatch(page.body, /evil\.example/);
  const local = await app.inject({ method: 'GET', url: '/login?next=%2Foverview' });
  assert.match(local.body, /name="next" value="\/overview"/);
});
