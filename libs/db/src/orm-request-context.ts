import { RouteConfig } from '@nestjs/platform-fastify';
import { RequestContext, type MikroORM } from '@mikro-orm/core';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

const ORM_CONTEXT = 'ormContext';

/**
 * Marks a route whose work needs no request-scoped EntityManager (it talks to PostgreSQL through a
 * pool of node-postgres, or opens its own transaction), so it skips the per-request fork.
 */
export const WithoutOrmContext = (): MethodDecorator => RouteConfig({ [ORM_CONTEXT]: false });

/**
 * Fastify `preHandler` hook: one EntityManager per request (MikroORM's request context), forked
 * after the body is read so guards, pipes, the handler and the exception filter all run inside it.
 */
export function ormRequestContext(orm: MikroORM): (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void {
  return (request, _reply, done) => {
    if ((request.routeOptions.config as unknown as Record<string, unknown>)[ORM_CONTEXT] === false) return done();
    RequestContext.create(orm.em, done);
  };
}
