import { Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { Roles } from '@bank/auth/roles.decorator';
import { CurrentUser } from '@bank/auth/current-user.decorator';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import { TokenService } from '@bank/auth/token.service';
import { QUEUE_BOARD_COOKIE, QUEUE_BOARD_PATH } from './queue-board-access';

/**
 * A browser cannot put a bearer token on a link, so an admin's page first asks for a short-lived,
 * HttpOnly cookie scoped to the board's path, then opens `/admin/queues`.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/queue-board')
export class QueueBoardSessionController {
  constructor(
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('session')
  @HttpCode(204)
  async open(@CurrentUser() admin: AuthenticatedUser, @Res({ passthrough: true }) response: Response): Promise<void> {
    const token = await this.tokens.signAccessToken(admin);
    response.cookie(QUEUE_BOARD_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.isProduction,
      path: QUEUE_BOARD_PATH,
      maxAge: this.tokens.accessTokenTtlS * 1000,
    });
  }
}
