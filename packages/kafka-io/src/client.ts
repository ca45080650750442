import kafkajs from 'kafkajs';
import type { Admin, ISocketFactory, Kafka, LogEntry, SASLOptions } from 'kafkajs';

const { Kafka: KafkaClass, logLevel: KafkaLogLevel } = kafkajs;

export type KafkaClient = Kafka;
export type KafkaAdmin = Admin;
/** Opens the client's TCP/TLS connections (kafkajs `socketFactory`). */
export type KafkaSocketFactory = ISocketFactory;

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSaslOptions {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface KafkaTlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
}

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export interface KafkaLogRecord {
  level: Exclude<KafkaLogLevel, 'nothing'>;
  namespace: string;
  message: string;
  extra: Record<string, unknown>;
}

export interface KafkaClientOptions {
  brokers: string[];
  clientId?: string;
  sasl?: KafkaSaslOptions;
  /** `true` uses the system CA store; an object passes certificates and verification settings. */
  tls?: boolean | KafkaTlsOptions;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Retries of a failed request before the operation fails (kafkajs default: 5). */
  retries?: number;
  /** Defaults to 'nothing': kafkajs is chatty, so callers opt in to its logs. */
  logLevel?: KafkaLogLevel;
  /** Receives kafkajs log records at or above `logLevel`; defaults to kafkajs' console logger. */
  log?: (record: KafkaLogRecord) => void;
  /** Replaces kafkajs' socket factory, e.g. to keep track of the client's connections (tests). */
  socketFactory?: KafkaSocketFactory;
}

const logLevels = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
} as const;

function levelName(level: number): KafkaLogRecord['level'] {
  if (level <= KafkaLogLevel.ERROR) return 'error';
  if (level === KafkaLogLevel.WARN) return 'warn';
  if (level === KafkaLogLevel.INFO) return 'info';
  return 'debug';
}

function toSasl(options: KafkaSaslOptions): SASLOptions {
  const { username, password } = options;
  switch (options.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

export function createKafkaClient(options: KafkaClientOptions): KafkaClient {
  if (options.brokers.length === 0) throw new Error('createKafkaClient: at least one broker is required');
  const { log } = options;
  return new KafkaClass({
    brokers: options.brokers,
    clientId: options.clientId ?? 'modstream',
    ...(options.sasl ? { sasl: toSasl(options.sasl) } : {}),
    ...(options.tls !== undefined ? { ssl: options.tls } : {}),
    ...(options.connectionTimeoutMs !== undefined ? { connectionTimeout: options.connectionTimeoutMs } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeout: options.requestTimeoutMs } : {}),
    ...(options.retries !== undefined ? { retry: { retries: options.retries } } : {}),
    ...(options.socketFactory ? { socketFactory: options.socketFactory } : {}),
    logLevel: logLevels[options.logLevel ?? 'nothing'],
    ...(log
      ? {
          logCreator:
            () =>
            ({ namespace, level, log: entry }: LogEntry) => {
              const { message, ...extra } = entry;
              log({ level: levelName(level), namespace, message, extra });
            },
        }
      : {}),
  });
}
