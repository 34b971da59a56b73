import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { SessionList } from '@bank/contracts/auth';
import { NotFound } from '@bank/problems/domain-error';
import { SessionsService } from './sessions.service';
import { PasswordService } from './password.service';
import { CurrentUser } from './current-user.decorator';
import type { AuthenticatedUser } from './access-token';
import { ChangePasswordDto } from './dto/auth.dto';

const SessionIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new NotFound('The session') });

/** The caller's own sessions and password (API.md "Sessions, password, two-factor sign-in"); every role. */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly passwords: PasswordService,
  ) {}

  @Get('sessions')
  @ApiOperation({
    summary: 'The caller’s open sessions',
    description:
      'One per refresh-token family (a sign-in), most recently used first. `current` marks the session of the access token used; ' +
      '`userAgent` is the one the session was started with, `ip` and `lastUsedAt` change with every refresh (not with every request).',
  })
  @ApiOkResponse({ description: '`{items: [{id, current, userAgent, ip, createdAt, lastUsedAt}]}`' })
  async list(@CurrentUser() user: AuthenticatedUser): Promise<SessionList> {
    return { items: await this.sessions.list(user.id, user.sessionId) };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Sign out one of the caller’s sessions',
    description:
      'Its refresh token dies, its access tokens are refused and its sockets cut on every api process (within moments). ' +
      'The current session may be ended too (like a sign-out). A `session.revoked` security event and a `security.session_revoked` notification.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'no such open session of the caller (another user’s too)' })
  async revoke(@CurrentUser() user: AuthenticatedUser, @Param('id', SessionIdPipe) id: string, @Req() request: FastifyRequest): Promise<void> {
    await this.sessions.revoke(user.id, id, request.ip ?? null);
  }

  @Post('sessions/revoke-others')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out every session but the current one', description: 'A `session.revoked` security event for each; one notification for all.' })
  @ApiNoContentResponse()
  async revokeOthers(@CurrentUser() user: AuthenticatedUser, @Req() request: FastifyRequest): Promise<void> {
    await this.sessions.revokeOthers(user.id, user.sessionId, request.ip ?? null);
  }

  @Post('password')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Change the caller’s password',
    description:
      'The new password: at least 12 characters and not the current one (400 `VALIDATION_FAILED`). A wrong current password is 422 `PASSWORD_INVALID` ' +
      'and counts toward the lockout like a failed sign-in; while locked out, 423 `ACCOUNT_LOCKED`. Every other session ends; the current one goes on. ' +
      'A `password.changed` security event and a `security.password_changed` notification.',
  })
  @ApiNoContentResponse()
  @ApiUnprocessableEntityResponse({ description: '`PASSWORD_INVALID`: the current password is wrong' })
  async changePassword(@CurrentUser() user: AuthenticatedUser, @Body() body: ChangePasswordDto, @Req() request: FastifyRequest): Promise<void> {
    await this.passwords.change(user, body.currentPassword, body.newPassword, request.ip ?? null);
  }
}
