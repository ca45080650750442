import { readFile } from 'node:fs/promises';
import type { KafkaClientOptions, KafkaSaslOptions } from './client.js';

/** Where a service's Kafka connection is configured: TLS material as file paths (e.g. a mounted Secret). */
export interface KafkaConnectionSettings {
  brokers: string[];
  clientId: string;
  sasl?: KafkaSaslOptions;
  tls?: { caFile?: string; certFile?: string; keyFile?: string; rejectUnauthorized: boolean };
}

/** Client options for connection settings, with the certificate files read now. */
export async function kafkaClientOptions(settings: KafkaConnectionSettings): Promise<KafkaClientOptions> {
  const read = async (file: string | undefined) => (file === undefined ? undefined : await readFile(file));
  const { tls } = settings;
  return {
    brokers: settings.brokers,
    clientId: settings.clientId,
    sasl: settings.sasl,
    tls:
      tls === undefined
        ? undefined
        : {
            ca: await read(tls.caFile),
            cert: await read(tls.certFile),
            key: await read(tls.keyFile),
            rejectUnauthorized: tls.rejectUnauthorized,
          },
  };
}
