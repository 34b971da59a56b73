import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { loadProcessConfig } from '@bank/config/app-config';
import { prepareDatabase } from '@bank/db/prepare-database';
import { closeOnSignals, exitOnStartupError, startupLog } from '@bank/logging/startup';
import { ApiModule } from './api.module';
import { configureApi } from './configure-api';
import { createHttpAdapter } from './http-edge/http-adapter';

async function bootstrap(): Promise<void> {
  const config = loadProcessConfig();
  const log = startupLog('api', config);
  await prepareDatabase(config.databaseUrl, log);
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), createHttpAdapter(config), { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  await configureApi(app, config);
  closeOnSignals(app, log, 'api');
  await app.listen(config.port, config.host);
  log.info(`api listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`);
}

bootstrap().catch(exitOnStartupError('api'));
