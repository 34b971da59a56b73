import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { json, urlencoded } from 'express';
import type { AppConfig } from '@bank/config/app-config';
import { assignRequestId } from '@bank/logging/logging.module';
import { RedisIoAdapter } from '@bank/realtime/redis-io.adapter';
import { ConnectionDrain } from './connection-drain';

export const API_PREFIX = 'api/v1';
export const BODY_LIMIT = '100kb';

/** Where the browser app is served from: the Vite build once it exists, else the placeholder page. */
function webRoot(config: AppConfig): string {
  if (config.webRoot) return resolve(config.webRoot);
  const built = resolve('apps/web/dist');
  return existsSync(join(built, 'index.html')) ? built : resolve('apps/web/public');
}

/** Everything about the HTTP edge that `main` and the tests must share. */
export function configureApi(app: NestExpressApplication, config: AppConfig): void {
  app.disable('x-powered-by');
  app.use(app.get(ConnectionDrain).track);
  app.use(assignRequestId);
  app.set('trust proxy', config.trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          'connect-src': ["'self'", 'ws:', 'wss:'],
          'frame-ancestors': ["'none'"],
          // Only where the site is served over https; in development it would break plain-http pages.
          'upgrade-insecure-requests': config.isProduction ? [] : null,
        },
      },
      hsts: config.isProduction,
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.enableCors(config.corsOrigins.length > 0 ? { origin: config.corsOrigins, credentials: true } : { origin: false });
  app.use(json({ limit: BODY_LIMIT }));
  app.use(urlencoded({ extended: false, limit: BODY_LIMIT }));
  app.use(cookieParser());
  // Bull Board mounts at /admin/queues by prefix match: excluding that path alone keeps its session route under /api/v1.
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready', 'api/v1/health/live', 'api/v1/health/ready', 'metrics', 'api/v1/metrics', 'admin/queues'] });
  app.useStaticAssets(webRoot(config), { index: 'index.html', fallthrough: true });
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
