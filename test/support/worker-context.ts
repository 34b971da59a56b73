import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { MikroORM } from '@mikro-orm/postgresql';
import type { AppConfig } from '@bank/config/app-config';
import { WorkerModule } from '../../apps/worker/src/worker.module';

/**
 * The worker (outbox relay, request processors, sweep, heartbeat) in this process, built as
 * apps/worker/src/main.ts builds it — minus the signal handlers and the migrations, which the test
 * runs itself on its database. Not aborting on a start-up error keeps the Jest worker alive.
 * Stop it with `close()`: Nest's shutdown hooks run as on SIGTERM.
 */
export async function startWorkerContext(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  await app.init();
  if (!(await app.get(MikroORM).isConnected())) {
    await app.close();
    throw new Error('the in-process worker could not reach PostgreSQL');
  }
  return app;
}
