/**
 * Runs a long-lived service until SIGINT/SIGTERM, then shuts it down gracefully; a second
 * signal exits at once. Start-up errors (bad config above all) print one clear line, exit 1.
 */
import { RunwatchError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

export interface Running {
  close(): Promise<void>;
}

export async function runUntilSignal(log: Logger, start: () => Promise<Running>): Promise<void> {
  let running: Running;
  try {
    running = await start();
  } catch (err) {
    // Our own errors (bad config, a rule pack with errors) say what to fix; print them plainly.
    if (err instanceof RunwatchError && !err.retriable) process.stderr.write(`${err.message}\n`);
    else log.fatal({ err }, 'start-up failed');
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
