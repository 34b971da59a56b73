import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '@bank/config/app-config';
import { requestIdOf } from '@bank/logging/logging.module';
import { sendProblem } from '@bank/problems/problem-details.filter';
import { decompressRequestBody } from './compressed-body';
import { refuseNonUtf8Json } from './json-only';
import { refuseForeignSignIns } from './sign-in-origin';
import { addRequestDeadline } from './request-deadline';

/** JSON bodies over this many bytes (decompressed) are 413. */
export const BODY_LIMIT_BYTES = 100 * 1024;

/**
 * Errors Fastify raises before a Nest handler runs (a body it cannot read) go to the error handler
 * each route captured when it was registered. Nest sets its own only after registering the routes,
 * too late for them; ours is set before any route and kept, so those errors are problem documents
 * too (errors inside a Nest handler still go through its exception filters).
 */
class ApiFastifyAdapter extends FastifyAdapter {
  override setErrorHandler(): ReturnType<FastifyAdapter['setErrorHandler']> {
    return this.getInstance();
  }
}

/**
 * The api's HTTP server: Fastify under Nest. It measured half the CPU per request of Express under
 * Nest on the transfers path (README "Benchmark"). JSON is the only body it reads.
 */
export function createHttpAdapter(config: AppConfig): FastifyAdapter {
  const adapter = new ApiFastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Whose X-Forwarded-For is believed (proxy-addr names and CIDRs), so request.ip is the client.
    trustProxy: config.trustProxy,
    genReqId: requestIdOf,
    // Request lines are written by configureApi's onResponse hook, one per request.
    logger: false,
    // A body with a __proto__ or constructor.prototype key is refused (400), never parsed.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // A stopping api still answers what arrives on open connections (with Connection: close, see
    // ConnectionDrain) instead of 503s, so a balancer never sees a refused request it sent.
    return503OnClosing: false,
    // A URL the router refuses (bad encoding, an overlong path segment) is a problem document too.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendProblem(request, reply, error),
  });
  const fastify = adapter.getInstance();
  fastify.setErrorHandler((error, request, reply) => sendProblem(request, reply, error));
  // JSON is the only body it reads (API.md "Hardening"): anything else is 415 before it is read.
  fastify.removeContentTypeParser('text/plain');
  addRequestDeadline(fastify, config.requestDeadlineMs);
  refuseForeignSignIns(fastify, config.corsOrigins);
  fastify.addHook('preParsing', refuseNonUtf8Json);
  fastify.addHook('preParsing', decompressRequestBody);
  return adapter;
}
