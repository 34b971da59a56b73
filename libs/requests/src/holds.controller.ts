import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { HoldView, ReviewedHoldView } from '@bank/contracts/holds';
import type { Page } from '@bank/contracts/pagination';
import { CurrentUser } from '@bank/auth/current-user.decorator';
import { Roles } from '@bank/auth/roles.decorator';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import { NotFound } from '@bank/problems/domain-error';
import { WithoutOrmContext } from '@bank/db/orm-request-context';
import { HoldsService } from '@bank/ledger/holds/holds.service';
import { RequestsService } from './requests.service';
import { HoldListQueryDto } from './dto/holds.dto';

const HoldIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new NotFound('The hold') });

/**
 * API.md "Holds": a transfer held for review. Reads come from the ledger's holds; cancelling is a
 * move of the hold's `transfer_review` request (the hold follows it in the same transaction).
 */
@ApiTags('holds')
@ApiBearerAuth()
@Controller('holds')
export class HoldsController {
  constructor(
    private readonly holds: HoldsService,
    private readonly requests: RequestsService,
  ) {}

  @Get()
  @WithoutOrmContext()
  @Roles('customer')
  list(@CurrentUser() user: AuthenticatedUser, @Query() query: HoldListQueryDto): Promise<Page<HoldView>> {
    return this.holds.list(user.id, query);
  }

  @Get(':id')
  @WithoutOrmContext()
  get(@CurrentUser() user: AuthenticatedUser, @Param('id', HoldIdPipe) id: string): Promise<HoldView | ReviewedHoldView> {
    return this.holds.get(user, id);
  }

  @Post(':id/cancel')
  @WithoutOrmContext()
  @Roles('customer')
  @HttpCode(200)
  cancel(@CurrentUser() user: AuthenticatedUser, @Param('id', HoldIdPipe) id: string): Promise<HoldView> {
    return this.requests.cancelHold(user, id);
  }
}
