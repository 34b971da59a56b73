import { randomUUID } from 'node:crypto';
import { Module, RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '@bank/config/app-config';

export const REQUEST_ID_HEADER = 'x-request-id';
const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

type RequestWithId = IncomingMessage & { id?: string };

/**
 * Express middleware, mounted first: the caller's request id if it is sane, else a new one, echoed
 * back (X-Request-Id) so logs and clients can correlate — even for a body that fails to parse.
 */
export function assignRequestId(request: RequestWithId, response: ServerResponse, next: () => void): void {
  const given = request.headers[REQUEST_ID_HEADER];
  request.id = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
  response.setHeader(REQUEST_ID_HEADER, request.id);
  next();
}

function requestId(request: RequestWithId): string {
  return request.id ?? randomUUID();
}

/** Structured JSON logs (pino), one line per request with its id; secrets redacted. */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, processName: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: config.logLevel,
            base: { process: processName, pid: process.pid },
            genReqId: (request) => requestId(request as RequestWithId),
            redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-admin-key"]', 'res.headers["set-cookie"]'],
            autoLogging: { ignore: (request) => (request.url ?? '').startsWith('/health/') },
            customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info'),
          },
        }),
      ],
    };
  }
}
