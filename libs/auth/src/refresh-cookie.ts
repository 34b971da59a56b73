import type { FastifyReply } from 'fastify';
import { REFRESH_COOKIE_NAME, REFRESH_COOKIE_PATH, type TokenResponse } from '@bank/contracts/auth';
import type { AppConfig } from '@bank/config/app-config';

/** Browsers keep the refresh token in an HttpOnly cookie that script cannot read (DESIGN.md "Security"). */
export function withRefreshCookie(response: FastifyReply, tokens: TokenResponse, config: AppConfig): TokenResponse {
  response.setCookie(REFRESH_COOKIE_NAME, tokens.refreshToken, {
    httpOnly: true,
    secure: config.isProduction,
    sameSite: 'strict',
    path: REFRESH_COOKIE_PATH,
    maxAge: config.refreshTokenTtlS,
  });
  return tokens;
}
