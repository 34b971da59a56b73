import { Module } from '@nestjs/common';
import { AccountsModule } from '@bank/accounts/accounts.module';
import { UsersModule } from '@bank/users/users.module';
import { RequestQueuesModule } from './request-queues.module';
import { RequestsService } from './requests.service';
import { RequestsRepository } from './requests.repository';
import { RequestTransitions } from './request-transitions';
import { IdempotencyModule } from '@bank/idempotency/idempotency.module';
import { RequestsController } from './requests.controller';

/** The api side of service requests: the REST routes and the service. */
@Module({
  imports: [AccountsModule, UsersModule, RequestQueuesModule, IdempotencyModule],
  providers: [RequestsService, RequestTransitions, RequestsRepository],
  controllers: [RequestsController],
  exports: [RequestsService],
})
export class RequestsModule {}
