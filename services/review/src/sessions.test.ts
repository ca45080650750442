import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newToken, SessionStore, tokensMatch } from './sessions.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

test('a session has a random id and CSRF token and is found by its id', () => {
  const store = new SessionStore({ idleMs: 60_000, maxAgeMs: 3_600_000 });
  const a = store.create('alice');
  const b = store.create('alice');
  assert.notEqual(a.id, b.id);
  assert.notEqual(a.csrfToken, b.csrfToken);
  assert.notEqual(a.id, a.csrfToken);
  assert.match(a.id, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url');
  assert.equal(store.get(a.id)?.userId, 'alice');
  assert.equal(store.get('not-a-session'), undefined);
  assert.equal(store.get(undefined), undefined);
  assert.equal(store.get(''), undefined);
  store.delete(a.id);
  assert.equal(store.get(a.id), undefined);
  assert.equal(store.get(b.id)?.id, b.id);
});

test('an idle session expires; use keeps it alive until its maximum age', () => {
  const time = clock();
  const store = new SessionStore({ idleMs: 10_000, maxAgeMs: 25_000, now: time.now });
  const idle = store.create('alice');
  const active = store.create('bob');
  time.advance(9_000);
  assert.ok(store.get(active.id));
  time.advance(1_000);
  assert.equal(store.get(idle.id), undefined, 'idle for 10 s');
  assert.ok(store.get(active.id));
  time.advance(9_000);
  assert.ok(store.get(active.id));
  time.advance(6_000);
  assert.equal(store.get(active.id), undefined, '25 s old');
  assert.equal(store.size, 0);
});

test('sweep drops expired sessions; the store is bounded', () => {
  const time = clock();
  const store = new SessionStore({ idleMs: 10_000, maxAgeMs: 60_000, maxSessions: 3, now: time.now });
  const first = store.create('a');
  const second = store.create('b');
  store.create('c');
  assert.ok(store.get(first.id), 'first is now the most recently used');
  store.create('d');
  assert.equal(store.size, 3);
  assert.equal(store.get(second.id), undefined, 'the least recently used one was dropped');
  assert.ok(store.get(first.id));
  time.advance(10_000);
  assert.equal(store.sweep(), 3);
  assert.equal(store.size, 0);
});

test('tokens match only exactly, whatever a request sends', () => {
  const token = newToken();
  assert.equal(tokensMatch(token, token), true);
  assert.equal(tokensMatch(token, `${token}x`), false);
  assert.equal(tokensMatch(token, token.slice(1)), false);
  assert.equal(tokensMatch(token, newToken()), false);
  assert.equal(tokensMatch(token, ''), false);
  assert.equal(tokensMatch(token, undefined), false);
  assert.equal(tokensMatch(token, [token]), false);
  assert.equal(tokensMatch(token, { token }), false);
});
