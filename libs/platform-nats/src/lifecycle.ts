import type { Logger } from '@lakegate/telemetry';

type Step = () => Promise<unknown> | unknown;

/**
 * Runs a service's main function. Start-up failures are printed (a configuration error lists every
 * problem) and exit non-zero; SIGINT/SIGTERM run the returned shutdown steps in order (drain NATS,
 * close stores), then exit 0; later signals do not cut that short (a terminal's Ctrl-C and the
 * launcher's SIGTERM both arrive), and a stop that hangs ends after 10 s with exit 1. A service whose
 * launcher is gone (it was reparented) stops the same way.
 */
export function runMain(name: string, main: () => Promise<{ logger: Logger; shutdown: Step[] }>): void {
  main().then(
    ({ logger, shutdown }) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
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
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
      // A service started by a launcher stops by itself when the launcher is gone (reparented).
      const parent = process.ppid;
      if (parent !== 1) {
        setInterval(() => {
          if (process.ppid !== parent) stop('parent exited');
        }, 1_000).unref();
      }
    },
    (error: unknown) => {
      process.stderr.write(`${name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
