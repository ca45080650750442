import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReplyError } from 'ioredis';
import { RedisAuthError, isRedisAuthFailure, replyCode } from './redis-auth.js';

const reply = (message: string): Error => new ReplyError(message) as Error;

test('error replies that refuse the credentials or rights are auth failures, by reply code', () => {
  for (const message of [
    'WRONGPASS invalid username-password pair or user is disabled.',
    'NOAUTH Authentication required.',
    "NOPERM User cache has no permissions to run the 'mget' command",
  ]) {
    assert.ok(isRedisAuthFailure(reply(message)), message);
  }
});

test('other error replies, and errors that are not Redis replies, are not auth failures', () => {
  assert.equal(isRedisAuthFailure(reply('ERR unknown command')), false);
  assert.equal(isRedisAuthFailure(reply('LOADING Redis is loading the dataset in memory')), false);
  assert.equal(isRedisAuthFailure(reply('wrongpass in lower case is no reply code')), false);
  assert.equal(isRedisAuthFailure(new Error('WRONGPASS but not a reply')), false);
  assert.equal(isRedisAuthFailure(Object.assign(new Error('NOAUTH'), { name: 'ReplyError' })), false);
  assert.equal(isRedisAuthFailure('NOAUTH'), false);
  assert.equal(isRedisAuthFailure(undefined), false);
});

test('RedisAuthError carries the reply code and the reply as its cause', () => {
  const cause = reply('WRONGPASS invalid username-password pair or user is disabled.');
  const error = new RedisAuthError(cause);
  assert.equal(error.name, 'RedisAuthError');
  assert.equal(error.kind, 'redis-auth');
  assert.equal(error.code, 'WRONGPASS');
  assert.equal(error.cause, cause);
  assert.equal(replyCode(cause), 'WRONGPASS');
  assert.match(error.message, /WRONGPASS/);
});
