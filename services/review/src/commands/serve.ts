import { createLogger } from '@modstream/telemetry';
import { ReviewApp } from '../app.js';
import { ConfigError, loadConfig } from '../config.js';

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_CONFIG = 2;
const EXIT_SECOND_SIGNAL = 130;

/**
 * `modstream-review serve`: the review web app until SIGTERM/SIGINT; then stop HTTP, the samplers and the
 * feed, flush telemetry and exit 0 within MODSTREAM_REVIEW_SHUTDOWN_DEADLINE_MS (1 past it, 130 on a second
 * signal). Exit 2: invalid configuration, every problem listed.
 */
export async function run(_args: string[]): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`modstream-review serve: ${error.message}\n`);
    return EXIT_CONFIG;
  }
  const logger = createLogger({ name: 'modstream-review', level: config.logLevel });
  const app = new ReviewApp(config, logger);

  let stopping: Promise<number> | undefined;
  const stop = (reason: string, exitCode: number): Promise<number> => {
    stopping ??= (async () => {
      logger.info({ reason, deadlineMs: config.shutdownDeadlineMs }, 'stopping');
      const deadline = setTimeout(() => {
        logger.error(
          { deadlineMs: config.shutdownDeadlineMs },
          'shutdown deadline passed; exiting without a clean stop',
        );
        process.exit(EXIT_FAILURE);
      }, config.shutdownDeadlineMs);
      deadline.unref();
      try {
        await app.stop();
        logger.info('stopped');
        return exitCode;
      } catch {
        return EXIT_FAILURE;
      } finally {
        clearTimeout(deadline);
      }
    })();
    return stopping;
  };

  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping !== undefined) {
        logger.warn({ signal }, 'second signal; exiting now');
        process.exit(EXIT_SECOND_SIGNAL);
      }
      void stop(signal, EXIT_OK).then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });

  try {
    await app.start();
  } catch (error) {
    logger.error({ err: error }, 'start failed');
    await stop('start failed', EXIT_FAILURE);
    return EXIT_FAILURE;
  }
  const code = await stopped;
  // Anything still holding the event loop open after a clean stop must not keep the process alive.
  setTimeout(() => process.exit(code), 2_000).unref();
  return code;
}
