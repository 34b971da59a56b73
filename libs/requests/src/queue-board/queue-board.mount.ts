import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { sendProblem } from '@bank/problems/problem-details.filter';
import { REQUEST_QUEUES } from '../request-jobs';
import { QUEUE_BOARD_PATH, QueueBoardAccess } from './queue-board-access';

/**
 * Bull Board's Fastify plugin at `/admin/queues`, in a scope of its own whose every route — page,
 * assets, its JSON api — first passes the admin check; a refusal is a problem document like the
 * api's.
 */
@Injectable()
export class QueueBoardMount implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly access: QueueBoardAccess,
    @InjectQueue(REQUEST_QUEUES.triage) private readonly triage: Queue,
    @InjectQueue(REQUEST_QUEUES.fulfilment) private readonly fulfilment: Queue,
    @InjectQueue(REQUEST_QUEUES.expiry) private readonly expiry: Queue,
  ) {}

  async onModuleInit(): Promise<void> {
    const board = new BullBoardFastifyAdapter();
    board.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({ queues: [this.triage, this.fulfilment, this.expiry].map((queue) => new BullMQAdapter(queue)), serverAdapter: board });
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    await fastify.register(async (scope) => {
      // Answered here: the board's plugin has an error handler of its own that would make a refusal a 500.
      scope.addHook('onRequest', async (request, reply) => {
        try {
          await this.access.check(request);
        } catch (error) {
          sendProblem(request, reply, error);
          return reply;
        }
      });
      await scope.register(board.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
    });
  }
}
