import { Module } from '@nestjs/common';
import { AccountsModule } from '@bank/accounts/accounts.module';
import { UsersModule } from '@bank/users/users.module';
import { RequestQueuesModule } from './request-queues.module';
import { RequestsService } from './requests.service';
import { RequestsRepository } from './requests.repository';
import { RequestTransitions } from './request-transitions';
import { IdempotencyModule } from '@bank/idempotency/idempotency.module';
import { HoldsModule } from '@bank/ledger/holds/holds.module';
import { ReversalsModule } from '@bank/ledger/reversals/reversals.module';
import { HoldsController } from './holds.controller';
import { HoldExpiryModule } from './hold-expiry.scheduler';
import { RequestsController } from './requests.controller';
import { DisputesController } from './disputes.controller';
import { DisputesService } from './disputes.service';
import { DisputesRepository } from './disputes.repository';

/** The api side of service requests: the REST routes and the service. */
@Module({
  imports: [AccountsModule, UsersModule, RequestQueuesModule, IdempotencyModule, HoldsModule, ReversalsModule, HoldExpiryModule],
  providers: [RequestsService, RequestTransitions, RequestsRepository, DisputesService, DisputesRepository],
  controllers: [RequestsController, HoldsController, DisputesController],
  exports: [RequestsService],
})
export class RequestsModule {}
