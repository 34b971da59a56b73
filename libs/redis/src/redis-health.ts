import type Redis from 'ioredis';

interface OutageLogger {
  warn(message: string): void;
  log(message: string): void;
}

/**
 * One line when a client loses Redis and one when it has it back, however many reconnection
 * attempts fail in between (ioredis reports each one as an `error` event).
 */
export class OutageLog {
  private downSince: number | null = null;

  constructor(
    private readonly name: string,
    private readonly logger: OutageLogger,
  ) {}

  get down(): boolean {
    return this.downSince !== null;
  }

  failed(error: Error): void {
    if (this.downSince !== null) return;
    this.downSince = Date.now();
    this.logger.warn(`${this.name} lost Redis (${error.message}); reconnecting`);
  }

  recovered(): void {
    if (this.downSince === null) return;
    this.logger.log(`${this.name} reconnected to Redis after ${((Date.now() - this.downSince) / 1000).toFixed(1)} s`);
    this.downSince = null;
  }
}

/** Gives an ioredis client its error handler (without one, every failed reconnection is an "Unhandled error event" on stderr). */
export function watchRedis(client: Redis, name: string, logger: OutageLogger): Redis {
  const outage = new OutageLog(name, logger);
  client.on('error', (error: Error) => outage.failed(error));
  client.on('ready', () => outage.recovered());
  return client;
}
