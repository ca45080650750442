// The review service as a child process for the end-to-end tests: users file, start, readiness, logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from '@modstream/testkit';
import { freePort, repoRoot } from './worker-harness.js';

export interface ReviewProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** The service's log lines (the last 2,000). */
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitReady(timeoutMs?: number): Promise<void>;
}

function reviewCli(...args: string[]): string[] {
  return [
    '--conditions=@modstream/source',
    '--import',
    'tsx',
    join(repoRoot, 'services/review/src/cli.ts'),
    ...args,
  ];
}

/** `review hash-password`: the password on stdin, the hash on stdout. */
export async function hashPassword(password: string): Promise<string> {
  const child = spawn(process.execPath, reviewCli('hash-password'), {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(`${password}\n`);
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`hash-password exited ${code}: ${stderr}`);
  const hash = stdout.trim().split('\n').at(-1) ?? '';
  if (!hash.startsWith('scrypt$')) throw new Error(`hash-password printed no scrypt hash: ${stdout}`);
  return hash;
}

export interface TestUser {
  id: string;
  name: string;
  password: string;
}

/** A users file (the format of MODSTREAM_REVIEW_USERS_FILE) with the users' password hashes. */
export async function writeUsersFile(users: readonly TestUser[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'modstream-review-test-'));
  const file = join(dir, 'users.json');
  const entries = [];
  for (const user of users) {
    entries.push({ id: user.id, name: user.name, password_hash: await hashPassword(user.password) });
  }
  await writeFile(file, JSON.stringify({ users: entries }, null, 2), { mode: 0o600 });
  return file;
}

export async function startReviewService(env: Record<string, string>): Promise<ReviewProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, reviewCli('serve'), {
    cwd: repoRoot,
    env: { ...process.env, ...env, MODSTREAM_REVIEW_HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const keep = (line: string) => {
    logs.push(line);
    if (logs.length > 2_000) logs.shift();
  };
  createInterface({ input: child.stdout! }).on('line', keep);
  createInterface({ input: child.stderr! }).on('line', keep);
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    child,
    port,
    baseUrl,
    logs,
    exited,
    waitReady: async (timeoutMs = 60_000) => {
      await waitFor(
        async () => {
          if (exitedEarly) throw new Error(`review service exited before ready`);
          const response = await fetch(`${baseUrl}/readyz`);
          return response.status === 200;
        },
        { timeoutMs, intervalMs: 200, message: 'review service /readyz' },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n--- review service log ---\n${logs.slice(-30).join('\n')}`);
      });
    },
  };
}

/** Kills a review service that is still running (test cleanup). */
export async function killReviewService(service: ReviewProcess): Promise<void> {
  if (service.child.exitCode === null && service.child.signalCode === null) {
    service.child.kill('SIGKILL');
    await service.exited;
  }
}
