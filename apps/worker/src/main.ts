import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadProcessConfig } from '@bank/config/app-config';
import { prepareDatabase } from '@bank/db/prepare-database';
import { closeOnSignals, exitOnStartupError, startupLog } from '@bank/logging/startup';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const config = loadProcessConfig();
  const log = startupLog('worker', config);
  await prepareDatabase(config.databaseUrl, log);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  closeOnSignals(app, log, 'worker');
  await app.init();
  if (!(await app.get(MikroORM).isConnected())) throw new Error('worker could not reach PostgreSQL');
  log.info('worker ready (PostgreSQL and Redis connected)');
}

bootstrap().catch(exitOnStartupError('worker'));
