import { Module } from '@nestjs/common';
import { AccountsModule } from '@bank/accounts/accounts.module';
import { UsersModule } from '@bank/users/users.module';
import { StatementsController } from './statements.controller';
import { StatementsRepository } from './statements.repository';
import { StatementsService } from './statements.service';

/** Monthly statements (CSV, PDF) of a customer's own account, read from the ledger's entries. */
@Module({
  imports: [AccountsModule, UsersModule],
  providers: [StatementsRepository, StatementsService],
  controllers: [StatementsController],
})
export class StatementsModule {}
