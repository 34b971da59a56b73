import { Module } from '@nestjs/common';
import { AuthModule } from '@bank/auth/auth.module';
import { UsersModule } from '@bank/users/users.module';
import { RequestQueuesModule } from '../request-queues.module';
import { QueueBoardAccess } from './queue-board-access';
import { QueueBoardSessionController } from './queue-board-session.controller';
import { QueueBoardMount } from './queue-board.mount';

@Module({
  imports: [AuthModule, UsersModule],
  providers: [QueueBoardAccess],
  exports: [QueueBoardAccess],
})
class QueueBoardAccessModule {}

/** Bull Board for the request pipeline's queues at `/admin/queues`, admins only (api process only). */
@Module({
  imports: [QueueBoardAccessModule, RequestQueuesModule],
  providers: [QueueBoardMount],
  controllers: [QueueBoardSessionController],
})
export class QueueBoardModule {}
