import { BundleError, loadClassifier, type TextClassifier } from '@modstream/classifier';
import { commandModelDir } from '../config.js';

/**
 * The bundle a model command (classify, explain) runs on, or the exit code when it cannot start: 2 with the
 * usage when there is neither a text argument nor piped stdin, 1 with the reason when the bundle is unusable.
 */
export async function loadCommandClassifier(
  command: string,
  usage: string,
  options: { model?: string; threads?: number; texts: readonly string[] },
): Promise<TextClassifier | number> {
  if (options.texts.length === 0 && process.stdin.isTTY) {
    process.stderr.write(usage);
    return 2;
  }
  try {
    return await loadClassifier(commandModelDir(process.env, options.model), {
      intraOpThreads: options.threads,
    });
  } catch (error) {
    if (!(error instanceof BundleError)) throw error;
    process.stderr.write(`modstream ${command}: ${error.message}\n`);
    return 1;
  }
}
