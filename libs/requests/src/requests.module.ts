import { Module } from '@nestjs/common';
import { AccountsModule } from '@bank/accounts/accounts.module';
import { UsersModule } from '@bank/users/users.module';
import { OutboxModule } from '@bank/outbox/outbox.module';
import { RequestQueuesModule } from './request-queues.module';
import { RequestsService } from './requests.service';
import { RequestsController } from './requests.controller';

/** The api side of service requests: the REST routes and the service. */
@Module({
  imports: [AccountsModule, UsersModule, OutboxModule, RequestQueuesModule],
  providers: [RequestsService],
  controllers: [RequestsController],
  exports: [RequestsService],
})
export class RequestsModule {}
