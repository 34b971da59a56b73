import { randomUUID } from 'node:crypto';
import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { type Logger } from 'pino';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { AppConfig } from '@bank/config/app-config';

export const REQUEST_ID_HEADER = 'x-request-id';
const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The caller's request id if it is sane, else a new one (echoed back as X-Request-Id). */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Log lines wait in memory until this many bytes, or LOG_FLUSH_INTERVAL_MS, whichever comes first. */
const LOG_BUFFER_BYTES = 4096;
const LOG_FLUSH_INTERVAL_MS = 500;

/**
 * JSON lines with the process name and pid, secrets redacted, written to stdout in batches: one
 * write per request cost as much as the request's own work under load. What is buffered is
 * written at exit (pino flushes on exit), and at most LOG_FLUSH_INTERVAL_MS late otherwise.
 */
function createProcessLogger(config: AppConfig, processName: string): Logger {
  const stdout = pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES });
  setInterval(() => stdout.flush(), LOG_FLUSH_INTERVAL_MS).unref();
  return pino(
    {
      level: config.logLevel,
      base: { process: processName, pid: process.pid },
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-admin-key"]', 'res.headers["set-cookie"]'],
    },
    stdout,
  );
}

/** The process logger (pino), for code that writes its own lines (the api's request log). */
export const PROCESS_LOGGER = Symbol('PROCESS_LOGGER');

/**
 * One pino logger per process: Nest's own logs (`new Logger(…)` in services) go through it, and
 * the api's HTTP edge writes one line per request to it. No per-request logging middleware runs
 * (pino-http's child logger per request cost ~0.1 ms of CPU on every request, whatever the level).
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, processName: string): DynamicModule {
    const logger = createProcessLogger(config, processName);
    return {
      module: LoggingModule,
      global: true,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] })],
      providers: [{ provide: PROCESS_LOGGER, useValue: logger }],
      exports: [PROCESS_LOGGER],
    };
  }
}

/**
 * Fastify `onResponse` hook: one line per request (health checks excepted) with its id, at the
 * level its status deserves — info, warn for 4xx and 503, error for other 5xx — built only if that
 * level logs.
 */
export function requestLogHook(logger: Logger): (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void {
  return (request, reply, done) => {
    const status = reply.statusCode;
    // A 503 is a dependency down or a deadline passed: logged where it happens, once per outage.
    const level = status >= 500 && status !== 503 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (logger.isLevelEnabled(level) && !request.url.startsWith('/health/')) {
      logger[level]({ req: { id: request.id, method: request.method, url: request.url, remoteAddress: request.ip }, res: { statusCode: status }, responseTime: reply.elapsedTime }, 'request completed');
    }
    done();
  };
}
