import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { RequestView } from '@bank/contracts/requests';
import { CurrentUser } from '@bank/auth/current-user.decorator';
import { Roles } from '@bank/auth/roles.decorator';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import { IDEMPOTENCY_KEY_DOC, IdempotencyKey, replayAware } from '@bank/idempotency/idempotency-key.decorator';
import { NotFound } from '@bank/problems/domain-error';
import { WithoutOrmContext } from '@bank/db/orm-request-context';
import { DisputesService } from './disputes.service';
import { DisputeRequestDto } from './dto/disputes.dto';

const TransactionIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new NotFound('The transaction') });

/** API.md "Disputes and reversals": the sender disputes a transfer; the answer is the filed request. */
@ApiTags('disputes')
@ApiBearerAuth()
@Controller('transactions')
export class DisputesController {
  constructor(private readonly disputes: DisputesService) {}

  @Post(':id/disputes')
  @WithoutOrmContext()
  @Roles('customer')
  @HttpCode(202)
  @ApiHeader(IDEMPOTENCY_KEY_DOC)
  async file(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', TransactionIdPipe) transactionId: string,
    @Body() body: DisputeRequestDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RequestView> {
    return replayAware(reply, await this.disputes.file(user.id, transactionId, body, key));
  }
}
