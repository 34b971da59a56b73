import { Module } from '@nestjs/common';
import { AuthModule } from '@bank/auth/auth.module';
import { UsersModule } from '@bank/users/users.module';
import { AccountsModule } from '@bank/accounts/accounts.module';
import { LedgerModule } from '@bank/ledger/ledger.module';
import { RequestsModule } from '@bank/requests/requests.module';
import { PayeesModule } from '@bank/payees/payees.module';
import { SchedulesModule } from '@bank/schedules/schedules.module';
import { RegistrationService } from './registration.service';
import { RegistrationController } from './registration.controller';
import { DemoDataService } from './demo/demo-data.service';

/** Becoming a customer (`POST /auth/register`), and the demo data (DEMO_DATA): customers made the same way, with history, requests, a held transfer, payees and standing orders. */
@Module({
  imports: [AuthModule, UsersModule, AccountsModule, LedgerModule, RequestsModule, PayeesModule, SchedulesModule],
  providers: [RegistrationService, DemoDataService],
  controllers: [RegistrationController],
})
export class OnboardingModule {}
