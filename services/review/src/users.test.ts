import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { hashPassword } from './password.js';
import { parseUsersFile, UserDirectory } from './users.js';

let directory: UserDirectory;
before(async () => {
  const parsed = parseUsersFile(
    JSON.stringify({
      users: [
        {
          id: 'alice',
          name: 'Alice',
          password_hash: await hashPassword('alice-pw', { N: 1024, r: 8, p: 1 }),
        },
        { id: 'bob', password_hash: await hashPassword('bob-pw', { N: 1024, r: 8, p: 1 }) },
      ],
    }),
  );
  assert.ok(parsed.ok);
  directory = new UserDirectory(parsed.users);
});

test('the users file gives each user an id, a display name (the id by default) and a hash', () => {
  assert.equal(directory.size, 2);
  assert.equal(directory.get('alice')?.name, 'Alice');
  assert.equal(directory.get('bob')?.name, 'bob');
  assert.equal(directory.get('carol'), undefined);
});

test('authenticate: the right password signs in, anything else does not', async () => {
  assert.equal((await directory.authenticate('alice', 'alice-pw'))?.id, 'alice');
  assert.equal((await directory.authenticate('bob', 'bob-pw'))?.id, 'bob');
  assert.equal(await directory.authenticate('alice', 'bob-pw'), undefined);
  assert.equal(await directory.authenticate('Alice', 'alice-pw'), undefined, 'ids are case-sensitive');
  assert.equal(await directory.authenticate('carol', 'alice-pw'), undefined);
});

test('an unknown user costs a password verification too', async () => {
  await directory.authenticate('nobody', 'x'); // builds the decoy hash once
  const time = async (user: string) => {
    const started = process.hrtime.bigint();
    await directory.authenticate(user, 'wrong');
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const unknown = await time('nobody');
  // The decoy runs scrypt at the default cost (N=2^15), far above a map lookup.
  assert.ok(unknown > 5, `an unknown user took ${unknown.toFixed(2)} ms: no scrypt ran`);
});
