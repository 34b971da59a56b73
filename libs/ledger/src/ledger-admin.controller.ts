import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { LedgerCheck, TransactionView } from '@bank/contracts/ledger';
import type { Page } from '@bank/contracts/pagination';
import { Roles } from '@bank/auth/roles.decorator';
import { LedgerQueriesService } from './ledger-queries.service';
import { PageQueryDto } from './dto/money.dto';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin')
export class LedgerAdminController {
  constructor(private readonly queries: LedgerQueriesService) {}

  @Get('transactions')
  transactions(@Query() query: PageQueryDto): Promise<Page<TransactionView>> {
    return this.queries.allTransactions(query);
  }

  @Get('ledger/check')
  check(): Promise<LedgerCheck> {
    return this.queries.check();
  }
}
