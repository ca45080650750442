import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  name: string;
  level: LevelWithSilent;
  /** Log comment text instead of redacting it (MODSTREAM_LOG_TEXT); default false. */
  logText?: boolean;
  /** Where JSON lines go; default stdout. */
  destination?: DestinationStream;
}

/** Paths whose values are replaced by "[redacted]" unless logText is set. */
export const TEXT_REDACT_PATHS = [
  'text',
  '*.text',
  'comment.text',
  'texts',
  '*.texts',
  'comments[*].text',
  'items[*].text',
];

/** A pino JSON logger that never writes comment text by default. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(options.logText ? {} : { redact: { paths: TEXT_REDACT_PATHS, censor: '[redacted]' } }),
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
