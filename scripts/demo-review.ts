// The demo's last step (scripts/demo.ts): the review web app on the demo's queue topics, with a demo moderator
// (demo / demo-password) for the local stack only, running until Ctrl-C. Without a terminal (CI) it prints how
// to start the app instead; DEMO_REVIEW=0 skips it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from '@modstream/testkit';

const REVIEW_CLI = ['--conditions=@modstream/source', '--import', 'tsx', 'services/review/src/cli.ts'];
const DEMO_USER = { id: 'demo', name: 'Demo moderator', password: 'demo-password' };

export interface DemoReviewOptions {
  brokers: string;
  queueTopics: string[];
  decisionsTopic: string;
  deadLetterTopic: string;
  workerMetricsUrl: string;
  port: number;
}

async function hashPassword(password: string): Promise<string> {
  const child = spawn(process.execPath, [...REVIEW_CLI, 'hash-password'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stdin.end(`${password}\n`);
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`hash-password exited ${code}`);
  return out.trim();
}

function printHowToStart(options: DemoReviewOptions): void {
  console.log(
    [
      '',
      'demo: the review web app was not started (no terminal to stop it with Ctrl-C). To start it on the local stack:',
      "  printf '%s\\n' demo-password | pnpm --silent review hash-password   # the hash for the users file",
      '  echo \'{"users":[{"id":"demo","name":"Demo moderator","password_hash":"<hash>"}]}\' > /tmp/review-users.json',
      `  MODSTREAM_KAFKA_BROKERS=${options.brokers} MODSTREAM_REVIEW_USERS_FILE=/tmp/review-users.json \\`,
      '    MODSTREAM_REVIEW_COOKIE_SECURE=false MODSTREAM_REVIEW_CREATE_TOPICS=true pnpm review serve',
      '  then open http://127.0.0.1:8080/ and sign in as demo / demo-password (or run `bash scripts/demo.sh` in a terminal).',
    ].join('\n'),
  );
}

/**
 * Runs the review app until Ctrl-C (SIGINT) when stdin is a terminal; otherwise prints how to start it.
 * `interrupted`: Ctrl-C was pressed, so the other children of the terminal's process group got SIGINT too.
 */
export async function runDemoReview(options: DemoReviewOptions): Promise<{ interrupted: boolean }> {
  if (process.env.DEMO_REVIEW === '0') {
    console.log('demo: DEMO_REVIEW=0, the review web app is skipped');
    return { interrupted: false };
  }
  if (!process.stdin.isTTY) {
    printHowToStart(options);
    return { interrupted: false };
  }
  const dir = await mkdtemp(join(tmpdir(), 'modstream-demo-review-'));
  const usersFile = join(dir, 'users.json');
  await writeFile(
    usersFile,
    JSON.stringify({
      users: [
        { id: DEMO_USER.id, name: DEMO_USER.name, password_hash: await hashPassword(DEMO_USER.password) },
      ],
    }),
    { mode: 0o600 },
  );
  // Ctrl-C reaches the whole foreground process group: the review service (and the worker) stop on their own.
  let interrupted = false;
  const stopRequested = new Promise<void>((resolve) =>
    process.once('SIGINT', () => {
      interrupted = true;
      resolve();
    }),
  );
  const review = spawn(process.execPath, [...REVIEW_CLI, 'serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      MODSTREAM_KAFKA_BROKERS: options.brokers,
      MODSTREAM_REVIEW_QUEUE_TOPICS: options.queueTopics.join(','),
      MODSTREAM_REVIEW_DECISIONS_TOPIC: options.decisionsTopic,
      MODSTREAM_REVIEW_DLQ_TOPIC: options.deadLetterTopic,
      MODSTREAM_REVIEW_CREATE_TOPICS: 'true',
      MODSTREAM_REVIEW_USERS_FILE: usersFile,
      MODSTREAM_REVIEW_HTTP_PORT: String(options.port),
      MODSTREAM_REVIEW_COOKIE_SECURE: 'false',
      MODSTREAM_REVIEW_WORKER_METRICS_URL: options.workerMetricsUrl,
      MODSTREAM_LOG_LEVEL: 'warn',
    },
  });
  const log: string[] = [];
  createInterface({ input: review.stdout! }).on('line', (line) => {
    log.push(line);
    if (log.length > 50) log.shift();
  });
  const exited = once(review, 'exit');
  try {
    const url = `http://127.0.0.1:${options.port}`;
    await waitFor(
      async () => {
        if (review.exitCode !== null) throw new Error(`the review service exited ${review.exitCode}`);
        return (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true;
      },
      { timeoutMs: 60_000, intervalMs: 250, message: 'review service ready' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${log.join('\n')}`);
    });
    console.log(
      [
        '',
        `demo: the review web app runs at ${url}/ (local stack only)`,
        `demo: sign in as ${DEMO_USER.id} / ${DEMO_USER.password}; queues ${options.queueTopics.join(', ')};` +
          ` decisions go to ${options.decisionsTopic}`,
        'demo: press Ctrl-C to stop it (and the worker, and the stack if the demo started it)',
      ].join('\n'),
    );
    await Promise.race([stopRequested, exited]);
  } finally {
    if (review.exitCode === null && review.signalCode === null) {
      if (!interrupted) review.kill('SIGTERM');
      const killer = setTimeout(() => review.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  }
  console.log('demo: review web app stopped');
  return { interrupted };
}
