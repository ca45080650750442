// The main job's Kafka part (run by scripts/demo.sh): starts the worker as a child process, streams the
// project-written sample comments (cycled, so texts repeat) plus a few malformed events through Kafka,
// and prints labeled events, throughput and the cache hit ratio; then starts the review web app on the run's
// queues until Ctrl-C (scripts/demo-review.ts). The samples were written for the
// project, so printing their text here is fine; the worker itself never logs text.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createTopics, GroupConsumer, withAdmin } from '@modstream/kafka-io';
import {
  createTestKafka,
  createTestRedis,
  deleteKeysWithPrefix,
  deleteTestTopics,
  produceToTopic,
  testStackSettings,
  uniqueName,
  waitFor,
} from '@modstream/testkit';
import { runDemoReview } from './demo-review.js';

const EVENTS = Number(process.env.DEMO_EVENTS ?? 3_000);
const TEXTS_FILE = process.env.DEMO_TEXTS ?? 'models/incivility-minilm-l6/reference/texts.jsonl';
const HTTP_PORT = Number(process.env.DEMO_HTTP_PORT ?? 19464);
const REVIEW_PORT = Number(process.env.DEMO_REVIEW_PORT ?? 18080);

interface Labeled {
  id: string;
  labels: string[];
  scores: Record<string, number>;
  cache_hit: boolean;
  timings: { total_ms: number };
}

async function main(): Promise<void> {
  const texts = (await readFile(TEXTS_FILE, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { text: string }).text);
  if (texts.length === 0) throw new Error(`no texts in ${TEXTS_FILE}`);

  const base = uniqueName('demo');
  const topics = {
    input: `${base}.comments`,
    output: `${base}.labeled`,
    dlq: `${base}.dlq`,
    review: `${base}.review`,
    priority: `${base}.review.priority`,
    decisions: `${base}.decisions`,
    decisionsDlq: `${base}.decisions.dlq`,
  };
  // The default routing policy with this run's queue topics.
  const policy = JSON.parse(await readFile('packages/moderation/routing-policy.default.json', 'utf8')) as {
    rules: { queue: string }[];
  };
  for (const rule of policy.rules) rule.queue = rule.queue.replace(/^comments\.review/, topics.review);
  const policyFile = join(await mkdtemp(join(tmpdir(), 'modstream-demo-')), 'routing-policy.json');
  await writeFile(policyFile, JSON.stringify(policy));
  const kafka = createTestKafka();
  await withAdmin(kafka, (admin) => createTopics(admin, [{ topic: topics.input, partitions: 4 }]));

  const worker = spawn(
    process.execPath,
    ['--conditions=@modstream/source', '--import', 'tsx', 'services/worker/src/cli.ts', 'worker'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        MODSTREAM_KAFKA_BROKERS: testStackSettings().kafkaBrokers.join(','),
        MODSTREAM_GROUP_ID: `${base}.worker`,
        MODSTREAM_INPUT_TOPIC: topics.input,
        MODSTREAM_OUTPUT_TOPIC: topics.output,
        MODSTREAM_DLQ_TOPIC: topics.dlq,
        MODSTREAM_CREATE_TOPICS: 'true',
        MODSTREAM_REDIS_URL: testStackSettings().redisUrl,
        MODSTREAM_CACHE_KEY_PREFIX: `${base}:`,
        MODSTREAM_HTTP_PORT: String(HTTP_PORT),
        MODSTREAM_ROUTING_POLICY_FILE: policyFile,
      },
    },
  );
  let interrupted = false;
  const workerLog: string[] = [];
  createInterface({ input: worker.stdout! }).on('line', (line) => workerLog.push(line));
  const exited = once(worker, 'exit');
  try {
    console.log(`demo: starting the worker (group ${base}.worker, topic ${topics.input})`);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${HTTP_PORT}/readyz`)).ok, {
      timeoutMs: 120_000,
      intervalMs: 250,
      message: 'worker ready',
    });
    console.log(`demo: worker ready; /metrics on http://127.0.0.1:${HTTP_PORT}/metrics`);

    const labeled: Labeled[] = [];
    let deadLetters = 0;
    const reader = new GroupConsumer(kafka, {
      groupId: `${base}.reader`,
      topics: [topics.output, topics.dlq],
      onRecord: ({ topic, value }) => {
        if (topic === topics.dlq) deadLetters++;
        else labeled.push(JSON.parse(value?.toString() ?? '{}') as Labeled);
      },
    });
    await reader.start();

    const malformed = [
      Buffer.from('{"id": "broken-json", "text": '),
      Buffer.from(JSON.stringify({ id: 'empty', text: ' ' })),
    ];
    const messages = [
      ...Array.from({ length: EVENTS }, (_, i) => ({
        key: `demo-${i}`,
        value: Buffer.from(
          JSON.stringify({ id: `demo-${i}`, text: texts[i % texts.length], thread: `t${i % 7}` }),
        ),
      })),
      ...malformed.map((value, i) => ({ key: `bad-${i}`, value })),
    ];
    const startedAt = Date.now();
    await produceToTopic(kafka, topics.input, messages);
    console.log(
      `demo: produced ${messages.length} events (${texts.length} distinct texts cycled, 2 malformed)`,
    );

    // Every event ends as exactly one labeled event or one dead letter (the samples include an empty text).
    await waitFor(() => labeled.length + deadLetters >= messages.length, {
      timeoutMs: 300_000,
      intervalMs: 200,
      message: 'every event labeled or dead-lettered',
    });
    const seconds = (Date.now() - startedAt) / 1000;
    await reader.stop();

    const byId = new Map(labeled.map((event) => [event.id, event]));
    console.log('\ndemo: labeled events (id, labels over threshold, top scores, text):');
    // Three flagged and three unflagged samples.
    const shown = [true, false].flatMap((flagged) =>
      texts
        .map((_, i) => byId.get(`demo-${i}`))
        .filter((event): event is Labeled => event !== undefined && event.labels.length > 0 === flagged)
        .slice(0, 3),
    );
    for (const event of shown) {
      const top = Object.entries(event.scores)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([label, score]) => `${label}=${score.toFixed(2)}`)
        .join(' ');
      const labels = event.labels.length > 0 ? event.labels.join(',') : '(none)';
      const text = texts[Number(event.id.slice('demo-'.length))]!;
      console.log(`  ${event.id.padEnd(8)} ${labels.padEnd(28)} ${top}\n           "${text.slice(0, 100)}"`);
    }
    const hits = labeled.filter((event) => event.cache_hit).length;
    const flagged = labeled.filter((event) => event.labels.length > 0).length;
    console.log(
      `\ndemo: ${labeled.length} labeled events and ${deadLetters} dead letters in ${seconds.toFixed(1)} s ` +
        `= ${(labeled.length / seconds).toFixed(0)} events/s end to end through Kafka; ` +
        `cache hit ratio ${((100 * hits) / labeled.length).toFixed(1)} %; ${flagged} events with at least one label`,
    );
    ({ interrupted } = await runDemoReview({
      brokers: testStackSettings().kafkaBrokers.join(','),
      queueTopics: [topics.priority, topics.review],
      decisionsTopic: topics.decisions,
      deadLetterTopic: topics.decisionsDlq,
      workerMetricsUrl: `http://127.0.0.1:${HTTP_PORT}/metrics`,
      port: REVIEW_PORT,
    }));
  } finally {
    // After Ctrl-C the worker got SIGINT from the terminal itself: a SIGTERM now would be a second signal.
    if (!interrupted) worker.kill('SIGTERM');
    const [code] = await exited;
    const stopped = workerLog.find((line) => line.includes('"msg":"stopped"'));
    console.log(`demo: worker stopped on SIGTERM with exit code ${code}${stopped ? `: ${stopped}` : ''}`);
    const redis = createTestRedis();
    await deleteKeysWithPrefix(redis, `${base}:`);
    redis.disconnect();
    await deleteTestTopics(...Object.values(topics)).catch(() => undefined);
  }
}

await main();
