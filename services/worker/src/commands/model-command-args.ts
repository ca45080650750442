import { parseArgs, type ParseArgsConfig } from 'node:util';
import { positiveInteger } from './command-args.js';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

const MODEL_OPTIONS = {
  model: { type: 'string' },
  json: { type: 'boolean', default: false },
  threads: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsOptionsConfig;

/** The options every model command takes: --model, --json, --threads. */
export interface ModelCommandOptions {
  model?: string;
  json: boolean;
  threads: number;
}

type Parsed<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof MODEL_OPTIONS & T }>
>;

/**
 * Parses a model command's arguments: the shared options plus `extra`, then `build` for the command's own.
 * Returns the exit code instead when there is nothing to run: 0 after --help (usage on stdout), 2 on a
 * usage error (the message and usage on stderr).
 */
export function parseModelCommandArgs<T extends ParseArgsOptionsConfig, R>(
  command: string,
  usage: string,
  args: string[],
  extra: T,
  build: (parsed: Parsed<T>, common: ModelCommandOptions) => R,
): R | number {
  try {
    const parsed = parseArgs({ args, allowPositionals: true, options: { ...MODEL_OPTIONS, ...extra } });
    const values = parsed.values as Parsed<T>['values'] & {
      model?: string;
      json: boolean;
      threads?: string;
      help: boolean;
    };
    if (values.help) {
      process.stdout.write(usage);
      return 0;
    }
    return build(parsed as Parsed<T>, {
      ...(values.model === undefined ? {} : { model: values.model }),
      json: values.json,
      threads: positiveInteger(values.threads, 'threads', 1),
    });
  } catch (error) {
    process.stderr.write(`modstream ${command}: ${(error as Error).message}\n${usage}`);
    return 2;
  }
}
