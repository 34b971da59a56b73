import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PAYEE_NICKNAME_MAX, PAYEES_MAX, type PayeeList, type PayeeView } from '@bank/contracts/payees';
import { CurrentUser } from '@bank/auth/current-user.decorator';
import { Roles } from '@bank/auth/roles.decorator';
import { RateLimit } from '@bank/auth/rate-limit.decorator';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import { NotFound } from '@bank/problems/domain-error';
import { PayeesService } from './payees.service';
import { CreatePayeeDto } from './dto/payees.dto';

const PayeeIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new NotFound('The payee') });

/** API.md "Payees": a customer's own saved payees. Staff pay nobody: 403. */
@ApiTags('payees')
@ApiBearerAuth()
@Roles('customer')
@Controller('payees')
export class PayeesController {
  constructor(private readonly payees: PayeesService) {}

  @Get()
  @ApiOperation({
    summary: 'The caller’s saved payees, newest first',
    description:
      '200 `{items: [payee]}`, every payee of the caller (at most ' +
      PAYEES_MAX +
      ', so not paged — like `GET /accounts`). `payee` = `{id, accountNumber, nickname, name, createdAt}`; `name` is the holder’s current name, ' +
      'masked like `GET /accounts/lookup` (`Bob B.`), read at list time so a name change shows; a payee whose account has since closed keeps its name ' +
      '(a transfer to it is refused as before). Not rate-limited: it names only holders the caller was shown when saving.',
  })
  list(@CurrentUser() user: AuthenticatedUser): Promise<PayeeList> {
    return this.payees.list(user.id);
  }

  @Post()
  @RateLimit('lookup-user')
  @ApiOperation({
    summary: 'Save a payee: an account number and the caller’s nickname for it',
    description:
      '`{accountNumber, nickname}` → 201 `payee` with the holder’s masked name. The number is looked up exactly like `GET /accounts/lookup`: ' +
      '404 `NOT_FOUND` for a number no account has or a closed account; and, since saving names the holder, it counts against the same ' +
      'per-customer limit `RATE_LIMIT_LOOKUP_PER_USER` (429 `RATE_LIMITED`, and a `rate_limited` security event when it is exceeded). ' +
      `\`nickname\` is trimmed, 1..${PAYEE_NICKNAME_MAX} characters; a bad number or nickname, or an unknown field, is 400 \`VALIDATION_FAILED\` and nothing is saved. ` +
      'The same number saved twice → 409 `CONFLICT`. One’s own account number may be saved. ' +
      `At most ${PAYEES_MAX} payees per customer: the next one is 409 \`CONFLICT\` until one is deleted.`,
  })
  create(@CurrentUser() user: AuthenticatedUser, @Body() body: CreatePayeeDto): Promise<PayeeView> {
    return this.payees.create(user.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete one of the caller’s payees',
    description: '204. Another customer’s payee, or an id that exists nowhere, is 404 `NOT_FOUND` (ids cannot be probed). Past transfers are untouched.',
  })
  async delete(@CurrentUser() user: AuthenticatedUser, @Param('id', PayeeIdPipe) id: string): Promise<void> {
    await this.payees.delete(user.id, id);
  }
}
