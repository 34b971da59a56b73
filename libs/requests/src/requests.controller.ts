import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { ApproveRequestDto, CreateRequestDto, ReassignRequestDto, RejectRequestDto, ReleaseRequestDto, RequestListQueryDto, SubmitInputDto } from './dto/requests.dto';

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
  @ApiOperation({
    summary: 'List service requests',
    description:
      'Customers see their own, newest first; employees every request, oldest first (the web queue then shows overdue ones first); admins every request, newest first. ' +
      '`type` and `assignee` (`me`: claimed by the caller; `none`: claimed by nobody) filter further. Every request carries `dueAt` = createdAt + its service level (transfer_review 1 h, others 24 h).',
  })
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
  @ApiOperation({
    summary: 'Approve a request',
    description:
      'The claiming employee approves. Maker-checker: a limit_increase above SECOND_APPROVAL_LIMIT or a transaction_dispute above SECOND_APPROVAL_AMOUNT moves to `awaiting_second_approval` instead; ' +
      'then any other employee (no claim needed) approves it — it becomes `approved` with them as assignee and is fulfilled as usual — while the first approver gets 409 `SECOND_APPROVER_REQUIRED`. Of two concurrent second approvals one wins, the other gets 409.',
  })
  approve(@CurrentUser() user: AuthenticatedUser, @Param('id', RequestIdPipe) id: string, @Body() body: ApproveRequestDto): Promise<RequestView> {
    return this.requests.approve(user, id, body.note);
  }

  @Post(':id/reject')
  @WithoutOrmContext()
  @Roles('employee')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reject a request',
    description: 'The claiming employee rejects with a reason. A request `awaiting_second_approval` may be rejected by any employee except its first approver (409 `SECOND_APPROVER_REQUIRED`).',
  })
  reject(@CurrentUser() user: AuthenticatedUser, @Param('id', RequestIdPipe) id: string, @Body() body: RejectRequestDto): Promise<RequestView> {
    return this.requests.reject(user, id, body.reason);
  }

  @Post(':id/release')
  @WithoutOrmContext()
  @Roles('employee')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Release a claimed request',
    description:
      'The assignee hands the request back: `pending_review`, unassigned, a history entry with the note (or `released`). Another employee gets 403 `FORBIDDEN`; a request not `in_review` 409 `INVALID_STATE_TRANSITION`. ' +
      'A claim nobody touches for CLAIM_TIMEOUT_S returns the same way on its own (history note `claim expired`).',
  })
  release(@CurrentUser() user: AuthenticatedUser, @Param('id', RequestIdPipe) id: string, @Body() body: ReleaseRequestDto): Promise<RequestView> {
    return this.requests.release(user, id, body.note);
  }

  @Post(':id/reassign')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reassign a request (admin)',
    description:
      'A request `pending_review` or `in_review` goes to `in_review` with `employeeId` as its assignee (history note `reassigned to <id>`). ' +
      'An unknown user 404 `NOT_FOUND`; a user who is not an employee, or is locked, 422 `ASSIGNEE_NOT_ELIGIBLE` (with `reason`); any other status 409 `INVALID_STATE_TRANSITION`.',
  })
  reassign(@CurrentUser() user: AuthenticatedUser, @Param('id', RequestIdPipe) id: string, @Body() body: ReassignRequestDto): Promise<RequestView> {
    return this.requests.reassign(user, id, body.employeeId);
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
