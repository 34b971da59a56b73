import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import fastifyCookie from '@fastify/cookie';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { AppConfig } from '@bank/config/app-config';
import { PROCESS_LOGGER, REQUEST_ID_HEADER, requestLogHook } from '@bank/logging/logging.module';
import { ormRequestContext } from '@bank/db/orm-request-context';
import { MetricsRegistry } from '@bank/metrics/metrics.registry';
import { httpMetricsHook } from '@bank/metrics/http-metrics.hook';
import { RedisIoAdapter } from '@bank/realtime/redis-io.adapter';
import { ConnectionDrain } from './connection-drain';
import { helmetOptions, securityHeaders } from './http-edge/security-headers';

export const API_PREFIX = 'api/v1';

/** Where the browser app is served from: the Vite build once it exists, else the placeholder page. */
function webRoot(config: AppConfig): string {
  if (config.webRoot) return resolve(config.webRoot);
  const built = resolve('apps/web/dist');
  return existsSync(join(built, 'index.html')) ? built : resolve('apps/web/public');
}

/**
 * Everything about the HTTP edge that `main` and the tests must share. Each piece runs only where
 * it is needed: the security headers are worked out once, cookies are parsed only when a request
 * carries some (browsers send ours only to their paths), static files are routes of their own (one
 * per file of the web app), the routes that do not need it skip the EntityManager fork, and the
 * request log line is built only when its level is on.
 */
export async function configureApi(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', app.get(ConnectionDrain).track);
  const headers = securityHeaders(helmetOptions(config));
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // Set by the auth guard; declared so every request object keeps one shape.
  fastify.decorateRequest('user', null);
  app.enableCors(config.corsOrigins.length > 0 ? { origin: config.corsOrigins, credentials: true } : { origin: false });
  await app.register(fastifyCookie);
  fastify.addHook('preHandler', ormRequestContext(app.get(MikroORM)));
  fastify.addHook('onResponse', httpMetricsHook(app.get(MetricsRegistry)));
  fastify.addHook('onResponse', requestLogHook(app.get<Logger>(PROCESS_LOGGER)));

  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready', 'api/v1/health/live', 'api/v1/health/ready', 'metrics', 'api/v1/metrics'] });
  app.useStaticAssets({ root: webRoot(config), prefix: '/', index: 'index.html', wildcard: false });
  app.useWebSocketAdapter(new RedisIoAdapter(app, config));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('BankingCore API')
      .setDescription('REST contract of BankingCore (API.md). Amounts are integers in minor units.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, cleanupOpenApiDoc(document), { jsonDocumentUrl: 'api/docs-json' });
}
