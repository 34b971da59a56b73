import { Module } from '@nestjs/common';
import { BullBoardModule } from '@bull-board/nestjs';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { AuthModule } from '@bank/auth/auth.module';
import { UsersModule } from '@bank/users/users.module';
import { RequestQueuesModule } from '../request-queues.module';
import { REQUEST_QUEUES } from '../request-jobs';
import { QUEUE_BOARD_PATH, QueueBoardAccess } from './queue-board-access';
import { QueueBoardSessionController } from './queue-board-session.controller';
import { QueueBoardExpressAdapter } from './queue-board-express.adapter';

@Module({
  imports: [AuthModule, UsersModule],
  providers: [QueueBoardAccess],
  exports: [QueueBoardAccess],
})
class QueueBoardAccessModule {}

/** Bull Board for the request pipeline's queues at `/admin/queues`, admins only (api process only). */
@Module({
  imports: [
    QueueBoardAccessModule,
    RequestQueuesModule,
    BullBoardModule.forRootAsync({
      imports: [QueueBoardAccessModule],
      inject: [QueueBoardAccess],
      useFactory: (access: QueueBoardAccess) => ({ route: QUEUE_BOARD_PATH, adapter: QueueBoardExpressAdapter, middleware: access.middleware() }),
    }),
    ...Object.values(REQUEST_QUEUES).map((name) => BullBoardModule.forFeature({ name, adapter: BullMQAdapter })),
  ],
  controllers: [QueueBoardSessionController],
})
export class QueueBoardModule {}
