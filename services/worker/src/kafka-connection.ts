import { readFile } from 'node:fs/promises';
import type { KafkaClientOptions } from '@modstream/kafka-io';
import type { KafkaConfig } from './config.js';

/** Brokers, client id, SASL and TLS (certificate files read now) of a Kafka client, from the configuration. */
export async function kafkaConnectionOptions(
  kafka: Pick<KafkaConfig, 'brokers' | 'clientId' | 'sasl' | 'tls'>,
): Promise<KafkaClientOptions> {
  const read = async (file: string | undefined) => (file === undefined ? undefined : await readFile(file));
  return {
    brokers: kafka.brokers,
    clientId: kafka.clientId,
    sasl: kafka.sasl,
    tls:
      kafka.tls === undefined
        ? undefined
        : {
            ca: await read(kafka.tls.caFile),
            cert: await read(kafka.tls.certFile),
            key: await read(kafka.tls.keyFile),
            rejectUnauthorized: kafka.tls.rejectUnauthorized,
          },
  };
}
