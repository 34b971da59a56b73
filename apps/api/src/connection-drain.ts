import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/**
 * Lets a stopping api's kept-alive connections end. Closing the server only closes the connections
 * idle at that moment; one busy then and reused afterwards (a balancer's health checks, nginx's
 * upstream pool) would hold the process open until it is killed. From the start of the shutdown,
 * every answer not yet begun says `Connection: close`, so the client opens its next connection
 * elsewhere and never sends a request on one the api is about to drop.
 */
@Injectable()
export class ConnectionDrain implements BeforeApplicationShutdown {
  private readonly unanswered = new Set<ServerResponse>();
  private draining = false;

  /** Fastify `onRequest` hook: registered first, it sees every request. */
  readonly track = (_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const response = reply.raw;
    if (this.draining) {
      response.shouldKeepAlive = false;
    } else {
      this.unanswered.add(response);
      response.once('close', () => this.unanswered.delete(response));
    }
    done();
  };

  beforeApplicationShutdown(): void {
    this.draining = true;
    for (const response of this.unanswered) if (!response.headersSent) response.shouldKeepAlive = false;
  }
}
