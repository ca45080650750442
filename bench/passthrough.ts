/**
 * The Kafka-side limit: consume → produce, no processing, with the worker's consumer and producer settings.
 * Plain: each input's bytes go out as they came in. Shaped (BENCH_SHAPE_BYTES, BENCH_SHAPE_REVIEW_SHARE):
 * each input goes out as a message of the worker's labeled-event size, and that share of inputs also as a
 * second message to a review topic, so the broker traffic matches the worker's.
 */
import { runKafkaService, serviceEnv } from './lib/kafka-service.js';

const env = serviceEnv();
const shapeBytes = Number(process.env.BENCH_SHAPE_BYTES ?? 0);
const reviewShare = Number(process.env.BENCH_SHAPE_REVIEW_SHARE ?? 0);
const reviewTopic = `${env.output}.review`;
let reviewCredit = 0;

function shaped(value: Buffer, bytes: number): Buffer {
  const out = Buffer.alloc(bytes, 0x20);
  value.copy(out, 0, 0, Math.min(value.length, bytes));
  return out;
}

await runKafkaService(env, async (records) =>
  records.flatMap((record) => {
    const value = record.value ?? Buffer.alloc(0);
    if (shapeBytes <= 0) return [{ topic: env.output, key: record.key, value }];
    const outputs = [{ topic: env.output, key: record.key, value: shaped(value, shapeBytes) }];
    reviewCredit += reviewShare;
    if (reviewCredit >= 1) {
      reviewCredit -= 1;
      outputs.push({
        topic: reviewTopic,
        key: record.key,
        value: shaped(value, Math.round(shapeBytes * 0.8)),
      });
    }
    return outputs;
  }),
);
