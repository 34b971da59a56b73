import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IDEMPOTENCY_KEY_DOC, IdempotencyKey, replayAware } from '@bank/idempotency/idempotency-key.decorator';
import type { Page } from '@bank/contracts/pagination';
import type { RequestView } from '@bank/contracts/requests';
import { CurrentUser } from '@bank/auth/current-user.decorator';
import { Roles } from '@bank/auth/roles.decorator';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import { NotFound } from '@bank/problems/domain-error';
import { WithoutOrmContext } from '@bank/db/orm-request-context';
import { RequestsService } from './requests.service';
import { ApproveRequestDto, CreateRequestDto, RejectRequestDto, RequestListQueryDto, SubmitInputDto } from './dto/requests.dto';

const RequestIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new NotFound('The request') });

/** Filing and deciding run one SQL call each (RequestsRepository), so those routes skip the EntityManager fork. */
@ApiTags('service requests')
@ApiBearerAuth()
@Controller('service-requests')
export class RequestsController {
  constructor(private readonly requests: RequestsService) {}

  @Post()
  @WithoutOrmContext()
  @Roles('customer')
  @HttpCode(202)
  @ApiHeader(IDEMPOTENCY_KEY_DOC)
  async create(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CreateRequestDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RequestView> {
    return replayAware(reply, await this.requests.create(user.id, body, key));
  }

  @Get()
  list(@CurrentUser() user: AuthenticatedUser, @Query() query: RequestListQueryDto): Promise<Page<RequestView>> {
    return this.requests.list(user, query);
  }

  @Get(':id')
  get(@CurrentUser() user: AuthenticatedUser, @Param('id', RequestIdPipe) id: string): Promise<RequestView> {
    return this.requests.get(user, id);
  }

  @Post(':id/cancel')
  @WithoutOrmContext()
  @Roles('customer')
  @HttpCode(200)
  cancel(@CurrentUser() user: AuthenticatedUser, @Param('id', RequestIdPipe) id: string): Promise<RequestView> {
    return this.requests.cancel(user, id);
  }

  @Post(':id/claim')
  @WithoutOrmContext()
  @Roles('employee')
  @HttpCode(200)
  claim(@CurrentUser() user: AuthenticatedUser, @Param('id', RequestIdPipe) id: string): Promise<RequestView> {
    return this.requests.claim(user, id);
  }

  @Post(':id/approve')
  @WithoutOrmContext()
  @Roles('employee')
  @HttpCode(200)
  approve(@CurrentUser() user: AuthenticatedUser, @Param('id', RequestIdPipe) id: string, @Body() body: ApproveRequestDto): Promise<RequestView> {
    return this.requests.approve(user, id, body.note);
  }

  @Post(':id/reject')
  @WithoutOrmContext()
  @Roles('employee')
  @HttpCode(200)
  reject(@CurrentUser() user: AuthenticatedUser, @Param('id', RequestIdPipe) id: string, @Body() body: RejectRequestDto): Promise<RequestView> {
    return this.requests.reject(user, id, body.reason);
  }

  @Post(':id/submit')
  @Roles('customer')
  @HttpCode(202)
  @ApiHeader(IDEMPOTENCY_KEY_DOC)
  async submit(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', RequestIdPipe) id: string,
    @Body() body: SubmitInputDto,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RequestView> {
    return replayAware(reply, await this.requests.submitInput(user, id, body, key));
  }
}
