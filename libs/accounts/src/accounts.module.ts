import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { UsersModule } from '@bank/users/users.module';
import { Account } from './entities/account.entity';
import { Card } from './entities/card.entity';
import { AccountsRepository } from './accounts.repository';
import { CardsRepository } from './cards.repository';
import { AccountsService } from './accounts.service';

@Module({
  imports: [MikroOrmModule.forFeature([Account, Card]), UsersModule],
  providers: [AccountsRepository, CardsRepository, AccountsService],
  exports: [AccountsService],
})
export class AccountsModule {}
