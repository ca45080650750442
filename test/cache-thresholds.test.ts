import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, test } from 'node:test';
import { labelsOver, loadClassifier, type TextClassifier } from '@modstream/classifier';
import type { LabeledEvent } from '@modstream/events';
import { RedisLabelCache } from '@modstream/label-cache';
import {
  Pipeline,
  createInferenceBatcher,
  defaultOutputTopics,
  loadRoutingPolicy,
  type PipelineRecord,
} from '@modstream/moderation';
import {
  createTestRedis,
  deleteKeysWithPrefix,
  requireRedis,
  testStackSettings,
  uniqueName,
  writeThresholdsVariant,
} from '@modstream/testkit';
import { bundleDir, silverTest } from './classifier-support.js';

const { redisUrl } = testStackSettings();
const keyPrefix = `${uniqueName('thresholds-release')}:`;
const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

async function pipelineFor(classifier: TextClassifier): Promise<Pipeline> {
  const cache = new RedisLabelCache({ redis: redisUrl, keyPrefix, ttlSeconds: 300 });
  closers.push(() => cache.close());
  assert.ok(await cache.waitUntilReady(5_000), 'Redis ready');
  const batcher = createInferenceBatcher(classifier, {
    maxItems: 16,
    maxTokens: 8_192,
    maxWaitMs: 0,
    maxInFlight: 256,
    concurrency: 1,
  });
  closers.push(() => batcher.close());
  return new Pipeline({
    classifier,
    batcher,
    cache,
    routing: await loadRoutingPolicy(undefined, classifier.info.labels),
    topics: { ...defaultOutputTopics(), labeled: 'labeled', dead_letter: 'dlq' },
    maxTextBytes: 65_536,
  });
}

function records(texts: string[]): PipelineRecord[] {
  return texts.map((text, i) => ({
    topic: 'comments',
    partition: 0,
    offset: String(i),
    key: Buffer.from(`c${i}`),
    value: Buffer.from(JSON.stringify({ id: `c${i}`, text })),
    headers: {},
    timestamp: Date.now(),
  }));
}

async function labeledEvents(pipeline: Pipeline, texts: string[]): Promise<LabeledEvent[]> {
  const outputs = await pipeline.handle(records(texts));
  return outputs
    .filter((output) => output.kind === 'labeled')
    .map((output) => JSON.parse(output.value.toString('utf8')) as LabeledEvent);
}

test('a thresholds-only release relabels cached comments at once; labels always follow the stamped thresholds', async () => {
  await requireRedis(redisUrl);
  const redis = createTestRedis(redisUrl);
  closers.push(async () => {
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
  });
  const texts = (await readFile(silverTest, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, 60)
    .map((line) => (JSON.parse(line) as { text: string }).text);

  const current = await loadClassifier(bundleDir);
  closers.push(() => current.close());
  const release = await loadClassifier(
    await writeThresholdsVariant(bundleDir, -0.15, { thresholdsOnly: true }),
  );
  closers.push(() => release.close());
  assert.equal(release.info.modelVersion, current.info.modelVersion, 'same model');
  assert.notEqual(release.info.thresholdsVersion, current.info.thresholdsVersion, 'new thresholds');

  const before = await labeledEvents(await pipelineFor(current), texts);
  const releasePipeline = await pipelineFor(release);
  const afterRelease = await labeledEvents(releasePipeline, texts);

  assert.equal(afterRelease.length, texts.length);
  assert.equal(releasePipeline.stats.inferences, 0, 'every comment was served from the cache');
  assert.ok(afterRelease.every((event) => event.cache_hit));
  assert.ok(afterRelease.every((event) => event.thresholds_version === release.info.thresholdsVersion));
  const relabeled = afterRelease.filter(
    (event, i) => event.labels.join() !== before[i]!.labels.join(),
  ).length;
  assert.ok(relabeled > 0, 'lower thresholds add labels to some cached comments at once');

  const thresholdsOf = new Map([
    [current.info.thresholdsVersion, current.info.thresholds],
    [release.info.thresholdsVersion, release.info.thresholds],
  ]);
  for (const event of [...before, ...afterRelease]) {
    const thresholds = thresholdsOf.get(event.thresholds_version);
    assert.ok(thresholds !== undefined);
    assert.deepEqual(
      event.labels,
      labelsOver(event.scores, current.info.labels, thresholds),
      `${event.id}: labels are what ${event.thresholds_version} gives for the published scores`,
    );
  }
});
