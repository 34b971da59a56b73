import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { MetricsRegistry } from './metrics.registry';

/**
 * Fastify `onResponse` hook: times every HTTP request and labels it with the route pattern that
 * answered it (`/api/v1/accounts/:id/deposits`), never the raw path, so ids cannot explode the series.
 */
export function httpMetricsHook(metrics: MetricsRegistry): (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void {
  return (request, reply, done) => {
    metrics.httpDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  };
}
