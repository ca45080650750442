import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MicroBatcher } from '@modstream/batcher';
import type { Classification, TextClassifier } from '@modstream/classifier';
import { MemoryLabelCache } from '@modstream/label-cache';
import { inferenceRunner, type InferenceJob, type InferenceResult } from './inference-batcher.js';
import { defaultOutputTopics } from './output-kinds.js';
import { Pipeline, type PipelineRecord } from './pipeline.js';
import type { RoutingPolicy } from './routing.js';

const LABELS = ['namecalling', 'sarcasm', 'vulgarity'];

/**
 * A deterministic stand-in for the ONNX classifier: scores derived from words of the text. Its "token ids"
 * are one id per distinct text (plus one per extra word, for the token count), so calls can be read back.
 */
function fakeClassifier(calls: string[][]): TextClassifier {
  const score = (text: string, label: string) => (text.includes(label) ? 0.95 : 0.1);
  const texts: string[] = [];
  const classifyTexts = async (batch: readonly string[]) => {
    calls.push([...batch]);
    return batch.map((text): Classification => {
      const scores = Object.fromEntries(LABELS.map((label) => [label, score(text, label)]));
      return { labels: LABELS.filter((label) => scores[label]! >= 0.5), scores };
    });
  };
  return {
    info: {
      modelId: 'fake',
      modelVersion: 'v1',
      thresholdsVersion: 't1',
      labels: LABELS,
      thresholds: Object.fromEntries(LABELS.map((label) => [label, 0.5])),
      maxLength: 128,
    },
    encode: (text) => [
      texts.push(text) - 1,
      ...text
        .split(' ')
        .slice(1)
        .map(() => -1),
    ],
    classify: classifyTexts,
    classifyEncoded: async (sequences) => classifyTexts(sequences.map((ids) => texts[ids[0]!]!)),
    close: async () => undefined,
  };
}

const policy: RoutingPolicy = {
  match: 'first',
  rules: [
    { name: 'priority', queue: 'prio', labels: ['vulgarity'], min_score: 0.9 },
    { name: 'review', queue: 'review' },
  ],
};

/** The fake classifier, failing to tokenize texts with `untokenizable`, and batches holding `poison`. */
function failingClassifier(calls: string[][], broken: { all: boolean }): TextClassifier {
  const inner = fakeClassifier(calls);
  const texts: string[] = [];
  return {
    ...inner,
    encode: (text) => {
      if (text.includes('untokenizable')) throw new RangeError('tokenizer failed');
      texts.push(text);
      return [...inner.encode(text), -2 - (texts.length - 1)];
    },
    classifyEncoded: async (sequences) => {
      const batch = sequences.map((ids) => texts[-2 - ids.at(-1)!]!);
      if (broken.all || batch.some((text) => text.includes('poison'))) throw new Error('onnxruntime failed');
      return inner.classifyEncoded(sequences.map((ids) => ids.slice(0, -1)));
    },
  };
}

function setup(options: { failing?: { all: boolean }; maxOutputBytes?: number } = {}) {
  const calls: string[][] = [];
  const classifier = options.failing ? failingClassifier(calls, options.failing) : fakeClassifier(calls);
  const cache = new MemoryLabelCache({ maxEntries: 100, ttlSeconds: 60 });
  const batcher = new MicroBatcher<InferenceJob, InferenceResult>({
    maxItems: 8,
    maxTokens: 1_000,
    maxWaitMs: 1,
    maxInFlight: 64,
    concurrency: 2,
    cost: (job) => job.tokens,
    runBatch: inferenceRunner(classifier),
  });
  const pipeline = new Pipeline({
    classifier,
    batcher,
    cache,
    routing: policy,
    topics: { ...defaultOutputTopics(), labeled: 'out', dead_letter: 'dlq' },
    maxTextBytes: 100,
    maxOutputBytes: options.maxOutputBytes,
  });
  return { calls, cache, pipeline };
}

let offset = 0;
function record(value: string | Buffer, key = `k${offset}`): PipelineRecord {
  return {
    topic: 'in',
    partition: 0,
    offset: String(offset++),
    key: Buffer.from(key),
    value: Buffer.isBuffer(value) ? value : Buffer.from(value),
    headers: { traceparent: '00-abc-def-01' },
    timestamp: Date.now(),
  };
}

const comment = (id: string, text: string) => record(JSON.stringify({ id, text, author: 'a' }), id);
const parse = (value: Buffer) => JSON.parse(value.toString()) as Record<string, unknown>;

test('outputs follow input order: labeled (+ queue) events and dead letters', async () => {
  const { pipeline } = setup();
  const outputs = await pipeline.handle([
    comment('a', 'plain words'),
    record('{not json', 'b'),
    comment('c', 'such vulgarity'),
    record(JSON.stringify({ id: 'd', text: 'x'.repeat(101) }), 'd'),
  ]);
  assert.deepEqual(
    outputs.map((o) => [o.kind, o.topic, o.key?.toString()]),
    [
      ['labeled', 'out', 'a'],
      ['dead_letter', 'dlq', 'b'],
      ['labeled', 'out', 'c'],
      ['review', 'prio', 'c'],
      ['dead_letter', 'dlq', 'd'],
    ],
  );
  const labeled = parse(outputs[2]!.value);
  assert.deepEqual(labeled.labels, ['vulgarity']);
  assert.equal(labeled.author, 'a');
  assert.equal(labeled.text, undefined, 'the text is not copied to the labeled event');
  assert.equal(parse(outputs[3]!.value).priority, 95);
  assert.equal(parse(outputs[3]!.value).thresholds_version, 't1', 'review events name the thresholds');
  assert.equal(parse(outputs[1]!.value).reason, 'invalid_json');
  assert.equal(parse(outputs[4]!.value).reason, 'text_too_large');
  assert.deepEqual(pipeline.stats, {
    eventsIn: 4,
    labeled: 2,
    deadLetters: 2,
    review: 1,
    cacheHits: 0,
    sharedInferences: 0,
    inferences: 2,
  });
});

test('repeats in a chunk share one inference; later repeats are cache hits', async () => {
  const { pipeline, calls } = setup();
  const first = await pipeline.handle([
    comment('a', 'same text'),
    comment('b', 'same  text '),
    comment('c', 'other'),
  ]);
  assert.deepEqual(
    first.map((o) => parse(o.value).cache_hit),
    [false, true, false],
  );
  assert.equal(calls.flat().length, 2);
  // Scores are written to the cache right after they are known, without holding their events back.
  await new Promise((resolve) => setImmediate(resolve));
  const second = await pipeline.handle([comment('d', 'same text'), comment('e', 'other')]);
  assert.deepEqual(
    second.map((o) => parse(o.value).cache_hit),
    [true, true],
  );
  assert.equal(calls.flat().length, 2, 'no inference for cached texts');
  assert.equal(pipeline.stats.cacheHits, 2);
  assert.equal(pipeline.stats.sharedInferences, 1);
});

test('concurrent chunks with the same text run one inference', async () => {
  const { pipeline, calls } = setup();
  const [a, b] = await Promise.all([
    pipeline.handle([comment('a', 'concurrent text')]),
    pipeline.handle([comment('b', 'concurrent text')]),
  ]);
  assert.equal(calls.flat().length, 1);
  assert.deepEqual([parse(a[0]!.value).cache_hit, parse(b[0]!.value).cache_hit].sort(), [false, true]);
});

test('a comment that fails to tokenize or to classify is one dead letter; the rest of its batch is labeled', async () => {
  const { pipeline } = setup({ failing: { all: false } });
  const outputs = await pipeline.handle([
    comment('a', 'plain words'),
    comment('b', 'untokenizable words'),
    comment('c', 'poison words'),
    comment('d', 'such vulgarity'),
    comment('e', 'poison words'),
  ]);
  assert.deepEqual(
    outputs.map((o) => [o.kind, o.key?.toString(), o.kind === 'dead_letter' ? parse(o.value).reason : '']),
    [
      ['labeled', 'a', ''],
      ['dead_letter', 'b', 'tokenize_failed'],
      ['dead_letter', 'c', 'inference_failed'],
      ['labeled', 'd', ''],
      ['review', 'd', ''],
      ['dead_letter', 'e', 'inference_failed'],
    ],
  );
  const error = parse(outputs[2]!.value).error as { message: string };
  assert.ok(!error.message.includes('poison'), 'the dead letter message does not quote the text');
  assert.equal(pipeline.stats.deadLetters, 3);
  assert.equal(pipeline.stats.labeled, 2);
});

test('a classifier that fails on every input is transient: the chunk throws, nothing is dead-lettered', async () => {
  const broken = { all: true };
  const { pipeline } = setup({ failing: broken });
  await assert.rejects(
    pipeline.handle([comment('a', 'plain words'), comment('b', 'other words')]),
    /onnxruntime/,
  );
  assert.equal(pipeline.stats.deadLetters, 0);
  broken.all = false;
  const outputs = await pipeline.handle([comment('a', 'plain words'), comment('b', 'other words')]);
  assert.deepEqual(
    outputs.map((o) => o.kind),
    ['labeled', 'labeled'],
  );
});

test('a record whose outputs exceed maxOutputBytes becomes one minimal output_too_large dead letter', async () => {
  const { pipeline } = setup({ maxOutputBytes: 400 });
  const big = record(
    JSON.stringify({ id: 'big', text: 'such vulgarity', metadata: { note: 'n'.repeat(70) } }),
    'big',
  );
  const outputs = await pipeline.handle([comment('a', 'plain words'), big]);
  assert.deepEqual(
    outputs.map((o) => o.kind),
    ['labeled', 'dead_letter'],
  );
  const dead = parse(outputs[1]!.value);
  assert.equal(dead.reason, 'output_too_large');
  assert.equal(dead.original_base64, '');
  assert.equal(dead.truncated, true);
  assert.equal(dead.original_size, big.value!.byteLength);
  assert.ok(
    outputs[1]!.value.byteLength < big.value!.byteLength + 500,
    'the dead letter carries no original bytes',
  );
  assert.equal(pipeline.stats.labeled, 1);
  assert.equal(pipeline.stats.review, 0);
});

test('handleEach: each record is ready on its own; a cache hit does not wait for a miss of its chunk', async () => {
  const { pipeline } = setup();
  await pipeline.handle([comment('warm', 'already seen text')]);
  await new Promise((resolve) => setImmediate(resolve));
  const settled: string[] = [];
  const promises = pipeline.handleEach([
    comment('miss', 'a text nobody sent before'),
    comment('hit', 'already seen text'),
    record('{broken', 'bad'),
  ]);
  assert.equal(promises.length, 3);
  await Promise.all(
    promises.map((promise) =>
      promise.then((outputs) => settled.push(outputs.map((o) => o.key?.toString()).join())),
    ),
  );
  assert.deepEqual(settled.slice(0, 2).sort(), ['bad', 'hit'], 'the hit and the dead letter come first');
  assert.equal(settled[2], 'miss');
});

test('a thresholds-only release relabels cached comments at once, stamped with the new thresholds', async () => {
  const calls: string[][] = [];
  const cache = new MemoryLabelCache({ maxEntries: 100, ttlSeconds: 60 });
  const pipelineWith = (thresholds: Record<string, number>, thresholdsVersion: string) => {
    const base = fakeClassifier(calls);
    const classifier = { ...base, info: { ...base.info, thresholds, thresholdsVersion } };
    const batcher = new MicroBatcher<InferenceJob, InferenceResult>({
      maxItems: 8,
      maxTokens: 1_000,
      maxWaitMs: 1,
      maxInFlight: 64,
      concurrency: 1,
      cost: (job) => job.tokens,
      runBatch: inferenceRunner(classifier),
    });
    return new Pipeline({
      classifier,
      batcher,
      cache,
      routing: policy,
      topics: { ...defaultOutputTopics(), labeled: 'out', dead_letter: 'dlq' },
      maxTextBytes: 100,
    });
  };
  const strict = pipelineWith({ namecalling: 0.99, sarcasm: 0.99, vulgarity: 0.99 }, 'strict');
  const [before] = await strict.handle([comment('a', 'sarcasm here')]);
  assert.deepEqual(parse(before!.value).labels, []);
  await new Promise((resolve) => setImmediate(resolve));

  const lenient = pipelineWith({ namecalling: 0.5, sarcasm: 0.5, vulgarity: 0.5 }, 'lenient');
  const outputs = await lenient.handle([comment('b', 'sarcasm here')]);
  const after = parse(outputs[0]!.value);
  assert.equal(after.cache_hit, true);
  assert.equal(lenient.stats.inferences, 0);
  assert.deepEqual(after.labels, ['sarcasm'], 'the cached scores meet the new thresholds');
  assert.equal(after.thresholds_version, 'lenient');
  assert.deepEqual(
    outputs.map((o) => o.kind),
    ['labeled', 'review'],
  );
});
