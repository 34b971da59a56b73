import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { Roles } from '@bank/auth/roles.decorator';
import { TokenInvalid } from '@bank/problems/domain-error';
import { RateLimit } from '@bank/auth/rate-limit.decorator';
import { bearerToken } from '@bank/auth/bearer-token';
import { QUEUE_BOARD_COOKIE, QUEUE_BOARD_PATH, QueueBoardAccess } from './queue-board-access';

/**
 * A browser cannot put a bearer token on a link, so an admin's page first asks for an HttpOnly
 * cookie scoped to the board's path, then opens `/admin/queues`.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/queues')
export class QueueBoardSessionController {
  constructor(
    private readonly access: QueueBoardAccess,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The cookie carries the presented token itself, so board access ends when that token does, never later. */
  @Post('session')
  @RateLimit('admin-user')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Sets the HttpOnly board cookie (Path=/admin/queues) for the rest of the access token\'s life.' })
  async open(@Req() request: FastifyRequest, @Res({ passthrough: true }) response: FastifyReply): Promise<void> {
    const token = bearerToken(request);
    if (!token) throw new TokenInvalid();
    const { expiresAtMs } = await this.access.authorize(token);
    response.setCookie(QUEUE_BOARD_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.isProduction,
      path: QUEUE_BOARD_PATH,
      maxAge: Math.max(0, Math.floor((expiresAtMs - Date.now()) / 1000)),
    });
  }
}
