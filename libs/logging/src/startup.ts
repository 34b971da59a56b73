import pino, { type Logger } from 'pino';
import type { AppConfig } from '@bank/config/app-config';
import { ConfigError } from '@bank/config/app-config';

/** The log used before Nest is up (and for start-up messages); same JSON shape as the app's. */
export function startupLog(processName: string, config: AppConfig): Logger {
  const log = pino({ level: config.logLevel, base: { process: processName, pid: process.pid } });
  if (config.defaultedSecrets.length > 0) {
    log.warn(`development defaults in use for ${config.defaultedSecrets.join(', ')}: fine on a laptop, refused in production`);
  }
  return log;
}

/** Ends a process whose start failed, with a message that names the cause (e.g. the bad variable). */
export function exitOnStartupError(processName: string): (error: unknown) => never {
  return (error: unknown) => {
    const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`${processName} failed to start: ${message}\n`);
    process.exit(1);
  };
}

interface Closable {
  close(): Promise<void>;
}

/** A stop that takes longer than this is cut short: every wait inside it is bounded, so one that is not is a fault. */
const SHUTDOWN_LIMIT_MS = 15_000;

/**
 * Graceful stop on SIGTERM/SIGINT: Nest's shutdown hooks run (the api stops accepting and lets
 * in-flight requests finish), then the process exits 0. A second signal exits at once, and so does
 * a stop still running after SHUTDOWN_LIMIT_MS (with 1, and a line saying so).
 */
export function closeOnSignals(app: Closable, log: Logger, processName: string): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    log.info(`${processName} received ${signal}; shutting down`);
    setTimeout(() => {
      log.error(`${processName} did not stop within ${SHUTDOWN_LIMIT_MS / 1000} s; exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    app.close().then(
      () => {
        log.info(`${processName} stopped`);
        // Non-zero if the stop was caused by a failure (e.g. the relay lost its database).
        process.exit(process.exitCode ?? 0);
      },
      (error: unknown) => {
        log.error({ err: error }, `${processName} failed to shut down cleanly`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
