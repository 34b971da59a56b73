import { Logger, type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '@bank/config/app-config';
import { SOCKET_PATH } from '@bank/contracts/events';
import { isAllowedSocketOrigin } from './socket-origin';
import { watchRedis } from '@bank/redis/redis-health';

/**
 * Socket.IO for the api: the public path, the Origin check, small inbound packets (clients send
 * nothing that matters), and the Redis adapter so socket operations (e.g. disconnecting a locked
 * user) reach sockets on every api process. Live events themselves go through the LiveEventsHub.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly clients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, {
      ...options,
      path: SOCKET_PATH,
      serveClient: false,
      maxHttpBufferSize: 16 * 1024,
      allowRequest: (request, callback) => callback(null, isAllowedSocketOrigin(request, this.config.corsOrigins)),
      cors: this.config.corsOrigins.length > 0 ? { origin: this.config.corsOrigins, credentials: true } : undefined,
    } as ServerOptions);
    const logger = new Logger('RedisIoAdapter');
    const pub = watchRedis(new Redis(this.config.redisUrl), 'the Socket.IO adapter (publisher)', logger);
    const sub = ignoreUnsubscribeFailures(watchRedis(pub.duplicate(), 'the Socket.IO adapter (subscriber)', logger));
    this.clients.push(pub, sub);
    server.adapter(createAdapter(pub, sub, { key: `${this.config.redisKeyPrefix}socket.io` }));
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    for (const client of this.clients.splice(0)) client.disconnect();
  }
}

/**
 * The adapter's close() unsubscribes without waiting or catching; with Redis unreachable at
 * shutdown those commands are rejected when the connection closes ("Connection is closed"), an
 * unhandled rejection that ended the api with an error instead of a clean stop. Their promises are
 * marked handled here (callers that await them still see the rejection): an unsubscribe that
 * fails on a connection about to close has nothing left to do.
 */
function ignoreUnsubscribeFailures(client: Redis): Redis {
  for (const name of ['unsubscribe', 'punsubscribe'] as const) {
    const original = client[name].bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const answer = original(...args);
      answer.catch(() => undefined);
      return answer;
    };
  }
  return client;
}
