import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MicroBatcher } from '@modstream/batcher';
import type { Classification, TextClassifier } from '@modstream/classifier';
import { shadowEventSchema, type OutboundMessage } from '@modstream/events';
import { inferenceRunner, type InferenceJob, type InferenceResult } from './inference-batcher.js';
import { ShadowScorer, inShadowSample, type ShadowDropReason } from './shadow-scorer.js';

const LABELS = ['namecalling', 'vulgarity'];
const info = (version: string, threshold: number) => ({
  modelId: 'm',
  modelVersion: version,
  thresholdsVersion: `t-${version}`,
  labels: LABELS,
  thresholds: Object.fromEntries(LABELS.map((label) => [label, threshold])),
  maxLength: 64,
});

/** Scores 0.6 for a label named in the text; flags at its own threshold. Texts with `fail` make it throw. */
function candidate(threshold: number, gate: { open: Promise<void> }): TextClassifier {
  const texts: string[] = [];
  const classify = async (batch: readonly string[]): Promise<Classification[]> => {
    await gate.open;
    if (batch.some((text) => text.includes('fail'))) throw new Error('session died');
    return batch.map((text) => {
      const scores = Object.fromEntries(LABELS.map((label) => [label, text.includes(label) ? 0.6 : 0.1]));
      return { scores, labels: LABELS.filter((label) => scores[label]! >= threshold) };
    });
  };
  return {
    info: info('candidate', threshold),
    encode: (text) => [texts.push(text) - 1],
    classify,
    classifyEncoded: (sequences) => classify(sequences.map(([id]) => texts[id!]!)),
    close: async () => undefined,
  };
}

function setup(options: { rate: number; maxPending?: number; gate?: { open: Promise<void> } }) {
  const classifier = candidate(0.5, options.gate ?? { open: Promise.resolve() });
  const batcher = new MicroBatcher<InferenceJob, InferenceResult>({
    maxItems: 8,
    maxTokens: 1_000,
    maxWaitMs: 0,
    maxInFlight: 64,
    concurrency: 1,
    cost: (job) => job.tokens,
    runBatch: inferenceRunner(classifier),
  });
  const published: OutboundMessage[] = [];
  const dropped: ShadowDropReason[] = [];
  const decisions: string[] = [];
  const scorer = new ShadowScorer({
    primary: info('primary', 0.7),
    classifier,
    batcher,
    sampleRate: options.rate,
    topic: 'shadow',
    maxPending: options.maxPending ?? 64,
    publish: async (messages) => void published.push(...messages),
    metrics: {
      decision: (label, primary, shadow) => decisions.push(`${label}:${+primary}${+shadow}`),
      published: () => undefined,
      dropped: (reason) => dropped.push(reason),
    },
  });
  return { scorer, published, dropped, decisions };
}

const primaryOf = (text: string): Classification => ({
  scores: Object.fromEntries(LABELS.map((label) => [label, text.includes(label) ? 0.6 : 0.1])),
  labels: [],
});
const source = { topic: 'in', partition: 0, offset: '1' };

test('the sample is deterministic by id and close to the rate', () => {
  const ids = Array.from({ length: 20_000 }, (_, i) => `c${i}`);
  const sampled = ids.filter((id) => inShadowSample(id, 0.1));
  assert.ok(Math.abs(sampled.length / ids.length - 0.1) < 0.01, `${sampled.length} sampled`);
  assert.deepEqual(
    ids.filter((id) => inShadowSample(id, 0.1)),
    sampled,
  );
  assert.ok(
    sampled.every((id) => inShadowSample(id, 0.2)),
    'a larger rate keeps the smaller sample',
  );
  assert.equal(inShadowSample('x', 0), false);
  assert.equal(inShadowSample('x', 1), true);
});

test('sampled comments become shadow events with both verdicts and the labels that differ', async () => {
  const { scorer, published, decisions } = setup({ rate: 1 });
  scorer.offer('a', 'such namecalling here', source, primaryOf('such namecalling here'));
  scorer.offer('b', 'plain', source, primaryOf('plain'));
  await scorer.close();
  assert.equal(published.length, 2);
  const [a] = published.map((message) => shadowEventSchema.parse(JSON.parse(message.value.toString())));
  assert.equal(published[0]!.key, 'a');
  assert.equal(a!.primary.model_version, 'primary');
  assert.equal(a!.shadow.model_version, 'candidate');
  assert.deepEqual(a!.shadow.labels, ['namecalling']);
  assert.deepEqual(a!.differing_labels, ['namecalling']);
  assert.deepEqual(decisions.sort(), ['namecalling:00', 'namecalling:01', 'vulgarity:00', 'vulgarity:00']);
});

test('a shadow that fails or falls behind drops and counts, and never throws into the caller', async () => {
  let open!: () => void;
  const gate = { open: new Promise<void>((resolve) => (open = resolve)) };
  const { scorer, published, dropped } = setup({ rate: 1, maxPending: 2, gate });
  scorer.offer('a', 'plain', source, primaryOf('plain'));
  scorer.offer('b', 'fail here', source, primaryOf('fail here'));
  scorer.offer('c', 'plain too', source, primaryOf('plain too'));
  assert.deepEqual(dropped, ['behind']);
  open();
  await scorer.close();
  scorer.offer('d', 'plain', source, primaryOf('plain'));
  assert.deepEqual(dropped.sort(), ['behind', 'closed', 'inference']);
  assert.deepEqual(
    published.map((message) => message.key),
    ['a'],
  );
});
