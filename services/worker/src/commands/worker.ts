import { WorkerApp } from '../app.js';
import { ConfigError, loadConfig } from '../config.js';
import { createWorkerLogger } from '../observability.js';

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_CONFIG = 2;
const EXIT_SECOND_SIGNAL = 130;

/**
 * `modstream worker`: consume, label, publish until SIGTERM/SIGINT; then drain the chunk in flight,
 * commit and exit 0 within MODSTREAM_SHUTDOWN_DEADLINE_MS (exit 1 past it, 130 on a second signal).
 */
export async function run(_args: string[]): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env, 'worker');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`modstream worker: ${error.message}\n`);
    return EXIT_CONFIG;
  }
  const logger = createWorkerLogger(config.logLevel, { logText: config.logText });
  const app = new WorkerApp(config, logger);

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
        logger.info({ stats: app.stats }, 'stopped');
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
    app.onFatal = (error) => {
      logger.error({ err: error }, 'consumer failed for good');
      void stop('fatal', EXIT_FAILURE).then(resolve);
    };
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
