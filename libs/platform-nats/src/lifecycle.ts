import type { Logger } from '@lakegate/telemetry';

type Step = () => Promise<unknown> | unknown;

/**
 * Runs a service's main function. Start-up failures are printed (a configuration error lists every
 * problem) and exit non-zero; SIGINT/SIGTERM run the returned shutdown steps in order (drain NATS,
 * close stores), then exit 0. A second signal exits at once.
 */
export function runMain(name: string, main: () => Promise<{ logger: Logger; shutdown: Step[] }>): void {
  main().then(
    ({ logger, shutdown }) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) process.exit(1);
        stopping = true;
        logger.info({ signal }, `${name} stopping`);
        const timer = setTimeout(() => {
          logger.error(`${name} did not stop within 10 s`);
          process.exit(1);
        }, 10_000);
        timer.unref();
        void (async () => {
          for (const step of shutdown) {
            try {
              await step();
            } catch (error) {
              logger.warn({ err: error }, 'shutdown step failed');
            }
          }
          logger.info(`${name} stopped`);
          process.exit(0);
        })();
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    },
    (error: unknown) => {
      process.stderr.write(`${name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
