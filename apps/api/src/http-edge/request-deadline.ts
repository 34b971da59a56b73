import type { FastifyInstance } from 'fastify';
import { RequestDeadlineExceeded } from '@bank/problems/dependency-failure';
import { sendProblem } from '@bank/problems/problem-details.filter';

/**
 * Every request is answered by its deadline: one still running then gets 503 (with Retry-After)
 * while its handler finishes in the background, each of its waits bounded on its own. Not
 * Fastify's `handlerTimeout`: in 5.11 it is cleared once a request body has been read, so it
 * never fires for a POST (fastify/fastify#6725).
 */
export function addRequestDeadline(fastify: FastifyInstance, deadlineMs: number): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const timer = setTimeout(() => {
      if (!reply.sent) sendProblem(request, reply, new RequestDeadlineExceeded(deadlineMs, request.url));
    }, deadlineMs);
    // The response was sent, or the client went away: nothing left to answer.
    reply.raw.once('close', () => clearTimeout(timer));
    done();
  });
}
