import { Module } from '@nestjs/common';
import { AccountsModule } from '@bank/accounts/accounts.module';
import { PayeesController } from './payees.controller';
import { PayeesRepository } from './payees.repository';
import { PayeesService } from './payees.service';

/** Saved payees (API.md "Payees"), for the api: saving one is rate-limited like the account lookup. */
@Module({
  imports: [AccountsModule],
  providers: [PayeesRepository, PayeesService],
  controllers: [PayeesController],
  exports: [PayeesService],
})
export class PayeesModule {}
