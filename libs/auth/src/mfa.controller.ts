import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TokenResponse } from '@bank/contracts/auth';
import type { MfaStatus, TotpConfirmResponse, TotpSetupResponse } from '@bank/contracts/mfa';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { withRefreshCookie } from './refresh-cookie';
import { MfaService } from './mfa.service';
import { MfaVerifyDto, TotpConfirmDto, TotpDisableDto } from './dto/auth.dto';
import { CurrentUser } from './current-user.decorator';
import type { AuthenticatedUser } from './access-token';
import { OpenBeforeMfa } from './open-before-mfa.decorator';
import { Public } from './public.decorator';
import { RateLimit } from './rate-limit.decorator';

/** API.md "Sessions, password, two-factor sign-in": TOTP enrolment, turning it off, and a sign-in's second step. */
@ApiTags('auth')
@Controller('auth/mfa')
export class MfaController {
  constructor(
    private readonly mfa: MfaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @ApiBearerAuth()
  @OpenBeforeMfa()
  @Get()
  @ApiOperation({
    summary: 'The caller’s two-factor state (extension)',
    description: '`totpEnabled`; `enrolmentRequired` is true for staff without TOTP while `MFA_REQUIRED_FOR_STAFF` is on (only enrolment is open to them then).',
  })
  status(@CurrentUser() user: AuthenticatedUser): Promise<MfaStatus> {
    return this.mfa.status(user.id, user.role);
  }

  @ApiBearerAuth()
  @OpenBeforeMfa()
  @Post('totp/setup')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start TOTP enrolment: a new secret, its otpauth URI and its QR code (SVG)',
    description: 'Not active until confirmed with a first code. A second setup replaces a pending secret; while TOTP is on → 409 `CONFLICT`.',
  })
  setup(@CurrentUser() user: AuthenticatedUser): Promise<TotpSetupResponse> {
    return this.mfa.setup(user.id);
  }

  @ApiBearerAuth()
  @OpenBeforeMfa()
  @Post('totp/confirm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Turn TOTP on with a first code; answers 10 single-use recovery codes, shown this once',
    description:
      'The code must be right within ±1 step of 30 s (wrong → 401 `MFA_INVALID`). Recovery codes are stored as SHA-256 digests and each works once. ' +
      'Writes `mfa.enabled` and a `security.mfa_changed` notification. No setup, or TOTP already on → 409 `CONFLICT`.',
  })
  confirm(@CurrentUser() user: AuthenticatedUser, @Body() body: TotpConfirmDto, @Req() request: FastifyRequest): Promise<TotpConfirmResponse> {
    return this.mfa.confirm(user.id, body.code, request.ip ?? null);
  }

  @ApiBearerAuth()
  @Delete('totp')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Turn TOTP off: the password and a code (or a recovery code)',
    description:
      'Wrong password → 422 `PASSWORD_INVALID`; wrong, reused or used code → 401 `MFA_INVALID`; both count toward the lockout like a wrong sign-in. ' +
      'TOTP not on → 409 `CONFLICT`. Writes `mfa.disabled` and a `security.mfa_changed` notification; the recovery codes are deleted.',
  })
  async disable(@CurrentUser() user: AuthenticatedUser, @Body() body: TotpDisableDto, @Req() request: FastifyRequest): Promise<void> {
    await this.mfa.disable(user.id, body.password, body.code, request.ip ?? null);
  }

  @Public()
  @RateLimit('login-ip')
  @Post('verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'The second step of a sign-in with TOTP on: `{mfaToken, code}` or `{mfaToken, recoveryCode}` → the same answer as a sign-in',
    description:
      'The mfaToken comes from `POST /auth/login` and works once within 300 s. A code is accepted once (a reused one is refused) within ±1 step. ' +
      'Wrong → 401 `MFA_INVALID` (counted toward the lockout like a wrong password; the mfaToken stays usable until it expires), 423 `ACCOUNT_LOCKED` once locked. ' +
      'Sets the refresh cookie like a sign-in.',
  })
  async verify(@Body() body: MfaVerifyDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) response: FastifyReply): Promise<TokenResponse> {
    const secondFactor = body.recoveryCode !== undefined ? { recoveryCode: body.recoveryCode } : { code: body.code ?? '' };
    const origin = { ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null };
    return withRefreshCookie(response, await this.mfa.verify(body.mfaToken, secondFactor, origin), this.config);
  }
}
