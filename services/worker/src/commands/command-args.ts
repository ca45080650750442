export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses a positive integer option, or returns the fallback when it is absent. */
export function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`--${name} must be a positive integer`);
  return parsed;
}

export interface SubcommandSpec<T> {
  /** e.g. `modstream feedback`. */
  command: string;
  subcommand: string;
  usage: string;
  /** The subcommand's options, or 'help'; throws on a usage error. */
  parse(args: string[]): T | 'help';
  run(options: T): Promise<number>;
}

/** `<command> <subcommand> [options]`: help and usage errors (exit 2) handled the same way for every command. */
export async function runSubcommand<T>(args: string[], spec: SubcommandSpec<T>): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === '--help' || subcommand === '-h') {
    process.stdout.write(spec.usage);
    return 0;
  }
  if (subcommand !== spec.subcommand) {
    const problem = subcommand === undefined ? 'missing subcommand' : `unknown subcommand ${subcommand}`;
    process.stderr.write(`${spec.command}: ${problem}\n${spec.usage}`);
    return 2;
  }
  let options: T | 'help';
  try {
    options = spec.parse(rest);
  } catch (error) {
    process.stderr.write(`${spec.command} ${spec.subcommand}: ${(error as Error).message}\n${spec.usage}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(spec.usage);
    return 0;
  }
  return spec.run(options);
}
