import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REFRESH_COOKIE_NAME, REFRESH_COOKIE_PATH, type RefreshResponse, type TokenResponse } from '@bank/contracts/auth';
import type { UserView } from '@bank/contracts/users';
import { isMfaChallenge, type LoginResponse } from '@bank/contracts/mfa';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { ValidationFailed } from '@bank/problems/domain-error';
import { AuthService } from './auth.service';
import { LoginDto, RefreshDto } from './dto/auth.dto';
import { Public } from './public.decorator';
import { CurrentUser } from './current-user.decorator';
import type { AuthenticatedUser } from './access-token';
import { RateLimit } from './rate-limit.decorator';
import { OpenBeforeMfa } from './open-before-mfa.decorator';
import { withRefreshCookie } from './refresh-cookie';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @RateLimit('login-ip', 'login-email')
  @Post('auth/login')
  @HttpCode(200)
  async login(@Body() body: LoginDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) response: FastifyReply): Promise<LoginResponse> {
    const answer = await this.auth.login(body.email, body.password, request.ip ?? null, request.headers['user-agent'] ?? null);
    // With TOTP on, no tokens and no cookie yet: the second step (POST /auth/mfa/verify) sets it.
    return isMfaChallenge(answer) ? answer : withRefreshCookie(response, answer, this.config);
  }

  @Public()
  @RateLimit('refresh-ip')
  @Post('auth/refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A new token pair for a refresh token (rotated: the old one dies)',
    description:
      'The refresh token comes from the body, or else from the HttpOnly refresh cookie. From the cookie, the new refresh token is set in the cookie ' +
      'only and left out of the answer, so script never reads it; from the body, it is in the answer (and the cookie).',
  })
  async refresh(@Body() body: RefreshDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) response: FastifyReply): Promise<RefreshResponse> {
    const fromBody = body.refreshToken;
    const token = fromBody ?? this.cookieToken(request);
    if (!token) throw new ValidationFailed([{ path: 'refreshToken', message: 'required (in the body or the refresh cookie)' }]);
    const tokens = withRefreshCookie(response, await this.auth.refresh(token, request.ip ?? null), this.config);
    if (fromBody) return tokens;
    const { refreshToken: _cookieOnly, ...withoutRefreshToken } = tokens;
    return withoutRefreshToken;
  }

  @ApiBearerAuth()
  @OpenBeforeMfa()
  @Post('auth/logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: ends the session of the refresh token given (body or cookie): its refresh and access tokens die' })
  async logout(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: RefreshDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<void> {
    await this.auth.logout(user.id, body.refreshToken ?? this.cookieToken(request));
    response.clearCookie(REFRESH_COOKIE_NAME, { path: REFRESH_COOKIE_PATH });
  }

  @ApiBearerAuth()
  @OpenBeforeMfa()
  @Get('me')
  me(@CurrentUser() user: AuthenticatedUser): Promise<UserView> {
    return this.auth.me(user.id);
  }

  private cookieToken(request: FastifyRequest): string | undefined {
    const value: unknown = request.cookies?.[REFRESH_COOKIE_NAME];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  }
}
