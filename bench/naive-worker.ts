/**
 * The naive approach: one ONNX session in-process, each Kafka message classified on its own (batch size 1)
 * and its labeled event published before the next message is read. No cache, no micro-batching.
 */
import { loadClassifier } from '@modstream/classifier';
import { decodeComment, encodeLabeled, passthroughFields } from '@modstream/events';
import { runKafkaService, serviceEnv } from './lib/kafka-service.js';
import { bundleDir } from './lib/paths.js';

const classifier = await loadClassifier(bundleDir, { intraOpThreads: 1, interOpThreads: 1 });
const { modelVersion, thresholdsVersion } = classifier.info;
const env = { ...serviceEnv(), chunkSize: 1, partitionsConcurrently: 1 };

await runKafkaService(
  env,
  async (records) =>
    Promise.all(
      records.map(async (record) => {
        const decoded = decodeComment(record.value, { maxTextBytes: 16_384 });
        if (!decoded.ok) throw new Error(`naive worker: undecodable message (${decoded.reason})`);
        const receivedAt = Date.now();
        const start = performance.now();
        const [classification] = await classifier.classify([decoded.comment.text]);
        if (classification === undefined) throw new Error('naive worker: no classification');
        const inferenceMs = performance.now() - start;
        return {
          topic: env.output,
          key: decoded.comment.id,
          value: encodeLabeled({
            id: decoded.comment.id,
            labels: classification.labels,
            scores: classification.scores,
            model_version: modelVersion,
            thresholds_version: thresholdsVersion,
            cache_hit: false,
            source: { topic: record.topic, partition: record.partition, offset: record.offset },
            timings: { queued_ms: 0, inference_ms: inferenceMs, total_ms: Date.now() - receivedAt },
            passthrough: passthroughFields(decoded.comment),
          }),
        };
      }),
    ),
  () => classifier.close(),
);
