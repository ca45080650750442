import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { hashPassword } from '../password.js';

const USAGE = `usage: modstream-review hash-password
  Reads a password from standard input (prompted twice without echo on a terminal; otherwise the first
  line, e.g. printf '%s\\n' "$PASSWORD" | modstream-review hash-password) and prints its scrypt hash for
  the users file (MODSTREAM_REVIEW_USERS_FILE):
    {"users": [{"id": "alice", "name": "Alice", "password_hash": "<the printed hash>"}]}
`;

/** Reads until end of input; the password is the first line (without its line ending). */
async function readPiped(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** Prompts on the terminal without echoing what is typed. */
async function prompt(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = new Promise<string>((resolve) => rl.question(question, resolve));
    muted = true;
    return await answer;
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

export async function run(args: string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write(
      args.includes('--help') || args.includes('-h') ? USAGE : `unexpected argument\n${USAGE}`,
    );
    return args.includes('--help') || args.includes('-h') ? 0 : 2;
  }
  let password: string;
  if (process.stdin.isTTY) {
    password = await prompt('Password: ');
    if ((await prompt('Again: ')) !== password) {
      process.stderr.write('hash-password: the passwords differ\n');
      return 1;
    }
  } else {
    password = await readPiped();
  }
  if (password === '') {
    process.stderr.write(`hash-password: no password given\n${USAGE}`);
    return 2;
  }
  process.stdout.write(`${await hashPassword(password)}\n`);
  return 0;
}
