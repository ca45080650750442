import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, parsePasswordHash, verifyPassword } from './password.js';

const FAST = { N: 1024, r: 8, p: 1 };

test('a hash verifies its password and nothing else', async () => {
  const hash = await hashPassword('correct horse battery staple');
  assert.match(hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.equal(await verifyPassword('correct horse battery staple', hash), true);
  assert.equal(await verifyPassword('correct horse battery stapl', hash), false);
  assert.equal(await verifyPassword('', hash), false);
  assert.deepEqual(DEFAULT_SCRYPT_PARAMS, { N: 32768, r: 8, p: 1 });
});

test('each hash has its own salt', async () => {
  const [a, b] = await Promise.all([hashPassword('same', FAST), hashPassword('same', FAST)]);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword('same', a), true);
  assert.equal(await verifyPassword('same', b), true);
});

test('the parameters travel with the hash', async () => {
  const hash = await hashPassword('pw', { N: 2048, r: 4, p: 2 });
  const parsed = parsePasswordHash(hash);
  assert.ok(typeof parsed !== 'string');
  assert.deepEqual(
    [parsed.N, parsed.r, parsed.p, parsed.salt.length, parsed.key.length],
    [2048, 4, 2, 16, 32],
  );
  assert.equal(await verifyPassword('pw', hash), true);
});

test('passwords are compared after Unicode normalisation', async () => {
  const hash = await hashPassword('caf\u00e9', FAST);
  assert.equal(await verifyPassword('cafe\u0301', hash), true);
});

test('malformed hashes are refused with a reason and never verify', async () => {
  const key = Buffer.alloc(32, 1).toString('base64url');
  const salt = Buffer.alloc(16, 2).toString('base64url');
  const cases: [string, RegExp][] = [
    ['plaintext', /expected scrypt/],
    [`bcrypt$10$8$1$${salt}$${key}`, /expected scrypt/],
    [`scrypt$1000$8$1$${salt}$${key}`, /power of two/],
    [`scrypt$${2 ** 21}$8$1$${salt}$${key}`, /power of two/],
    [`scrypt$1024$0$1$${salt}$${key}`, /r must be/],
    [`scrypt$1024$8$99$${salt}$${key}`, /p must be/],
    [`scrypt$1024$8$1$sa+lt$${key}`, /base64url/],
    [`scrypt$1024$8$1$AAAA$${key}`, /salt must be/],
    [`scrypt$1024$8$1$${salt}$AAAA`, /key must be/],
  ];
  for (const [hash, reason] of cases) {
    const parsed = parsePasswordHash(hash);
    assert.equal(typeof parsed, 'string', hash);
    assert.match(parsed as string, reason, hash);
    assert.equal(await verifyPassword('anything', hash), false);
  }
});

test('an empty password is not hashed', async () => {
  await assert.rejects(hashPassword(''), /empty/);
});
