import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import kafkajs from 'kafkajs';
import type { Kafka, LogEntry, SASLOptions } from 'kafkajs';

const { Kafka: KafkaClass, logLevel: KafkaLogLevel } = kafkajs;

/** A configured connection to a Kafka cluster; the functions of this package open what they need on it. */
export interface KafkaClient {
  readonly brokers: readonly string[];
  readonly clientId: string;
}

export interface KafkaSocketRequest {
  host: string;
  port: number;
  /** TLS settings when the client connects with TLS; absent for plaintext. */
  ssl?: ConnectionOptions;
  /** Must be called once the socket is connected. */
  onConnect: () => void;
}

/** Opens the client's TCP/TLS connections, e.g. to keep track of them (tests). */
export type KafkaSocketFactory = (request: KafkaSocketRequest) => Socket;

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
  /** Retries of a failed request before the operation fails (default: 5). */
  retries?: number;
  /** Defaults to 'nothing': the client is chatty, so callers opt in to its logs. */
  logLevel?: KafkaLogLevel;
  /** Receives the client's log records at or above `logLevel`; defaults to a console logger. */
  log?: (record: KafkaLogRecord) => void;
  /** Replaces the default socket factory, e.g. to keep track of the client's connections (tests). */
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

const kafkajsClients = new WeakMap<KafkaClient, Kafka>();
const clientOptions = new WeakMap<KafkaClient, KafkaClientOptions>();

/** The kafkajs instance behind a client; for this package's own modules only. */
export function kafkajsOf(client: KafkaClient): Kafka {
  const kafka = kafkajsClients.get(client);
  if (kafka === undefined) throw new Error('not a KafkaClient made by createKafkaClient');
  return kafka;
}

export function createKafkaClient(options: KafkaClientOptions): KafkaClient {
  if (options.brokers.length === 0) throw new Error('createKafkaClient: at least one broker is required');
  const client: KafkaClient = Object.freeze({
    brokers: Object.freeze([...options.brokers]),
    clientId: options.clientId ?? 'modstream',
  });
  kafkajsClients.set(client, newKafkajs(client, options));
  clientOptions.set(client, options);
  return client;
}

/**
 * A kafkajs instance of its own for a client's settings, whose sockets `endSockets()` ends: kafkajs 2.2.4
 * can drop a broker from its pool without disconnecting it (e.g. after a fetch for a partition or topic that
 * does not exist), and that connection keeps the process alive after `disconnect()`. For this package only.
 */
export function trackedKafkajsOf(client: KafkaClient): { kafka: Kafka; endSockets(): void } {
  const options = clientOptions.get(client);
  if (options === undefined) throw new Error('not a KafkaClient made by createKafkaClient');
  const open = new Set<Socket>();
  const socketFactory: KafkaSocketFactory = (args) => {
    const socket = options.socketFactory?.(args) ?? defaultSocket(args);
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    return socket;
  };
  return {
    kafka: newKafkajs(client, { ...options, socketFactory }),
    endSockets: () => {
      for (const socket of open) socket.destroy();
      open.clear();
    },
  };
}

function defaultSocket({ host, port, ssl, onConnect }: Parameters<KafkaSocketFactory>[0]): Socket {
  const socket = ssl
    ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
    : netConnect({ host, port }, onConnect);
  socket.setKeepAlive(true, 60_000);
  return socket;
}

function newKafkajs(client: KafkaClient, options: KafkaClientOptions): Kafka {
  const { log, socketFactory } = options;
  return new KafkaClass({
    brokers: [...client.brokers],
    clientId: client.clientId,
    ...(options.sasl ? { sasl: toSasl(options.sasl) } : {}),
    ...(options.tls !== undefined ? { ssl: options.tls } : {}),
    ...(options.connectionTimeoutMs !== undefined ? { connectionTimeout: options.connectionTimeoutMs } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeout: options.requestTimeoutMs } : {}),
    ...(options.retries !== undefined ? { retry: { retries: options.retries } } : {}),
    ...(socketFactory
      ? {
          socketFactory: ({ host, port, ssl, onConnect }) =>
            socketFactory({ host, port, ...(ssl ? { ssl } : {}), onConnect }),
        }
      : {}),
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
