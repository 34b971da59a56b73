import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Role } from '@bank/contracts/users';
import { Forbidden, MfaRequired, TokenInvalid } from '@bank/problems/domain-error';
import { TokenService } from './token.service';
import { bearerToken } from './bearer-token';
import { IS_PUBLIC } from './public.decorator';
import { ROLES } from './roles.decorator';
import { OPEN_BEFORE_MFA } from './open-before-mfa.decorator';
import { MfaService } from './mfa.service';
import type { RequestWithUser } from './current-user.decorator';

/**
 * Global guard: on every non-public route a valid access JWT that is not revoked (its session
 * ended, or issued before the user's `tokens_valid_after`: TokenService); staff who must enrol in
 * TOTP first (`MFA_REQUIRED_FOR_STAFF`) only on the routes open to them; then the route's roles.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly mfa: MfaService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & RequestWithUser>();
    const token = bearerToken(request);
    if (!token) throw new TokenInvalid('An access token is required (Authorization: Bearer <token>).');
    const { id, role, sessionId } = await this.tokens.verifyAccessToken(token);
    request.user = { id, role, sessionId };
    if (!this.reflector.getAllAndOverride<boolean>(OPEN_BEFORE_MFA, targets) && (await this.mfa.enrolmentRequired(id, role))) throw new MfaRequired();
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(request.user.role)) throw new Forbidden();
    return true;
  }
}
