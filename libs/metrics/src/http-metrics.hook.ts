import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { answeredProblem } from '@bank/problems/problem-details.filter';
import type { MetricsRegistry } from './metrics.registry';

/**
 * Fastify `onResponse` hook: times every HTTP request and labels it with the route pattern that
 * answered it (`/api/v1/accounts/:id/deposits`), never the raw path, so ids cannot explode the series;
 * counts the 503s a dependency caused, by dependency.
 */
export function httpMetricsHook(metrics: MetricsRegistry): (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void {
  return (request, reply, done) => {
    metrics.httpDuration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    const dependency = reply.statusCode === 503 ? answeredProblem(request)?.extensions?.dependency : undefined;
    if (typeof dependency === 'string') metrics.dependencyUnavailable.inc({ dependency });
    done();
  };
}
