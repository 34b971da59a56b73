import { Injectable } from '@nestjs/common';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { TokenService } from '@bank/auth/token.service';
import type { VerifiedAccessToken } from '@bank/auth/access-token';
import { UsersService } from '@bank/users/users.service';
import { isAdminLocked } from '@bank/users/entities/user.entity';
import { bearerToken } from '@bank/auth/bearer-token';
import { AccountLocked, Forbidden, MfaRequired, TokenInvalid } from '@bank/problems/domain-error';
import { MfaService } from '@bank/auth/mfa.service';

/** The cookie a browser link to the board carries (set by `POST /api/v1/admin/queues/session`). */
export const QUEUE_BOARD_COOKIE = 'bankingcore_queue_board';
export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Who may open Bull Board: an admin with a valid access token — from `Authorization: Bearer` or
 * the board cookie — that is not revoked, of an admin not locked by an admin. The board can retry and delete jobs, so nobody else.
 */
@Injectable()
export class QueueBoardAccess {
  constructor(
    private readonly tokens: TokenService,
    private readonly users: UsersService,
    private readonly orm: MikroORM,
    private readonly mfa: MfaService,
  ) {}

  async check(request: FastifyRequest): Promise<VerifiedAccessToken> {
    const token = bearerToken(request) ?? request.cookies[QUEUE_BOARD_COOKIE];
    if (!token) throw new TokenInvalid('An admin access token is required (Authorization: Bearer <token>, or open the board through POST /api/v1/admin/queues/session).');
    return this.authorize(token);
  }

  /**
   * The token must not be revoked (TokenService: its session ended, or issued before the user's
   * `tokens_valid_after`, which outlives an unlock and a restart). Unlike the REST guard and like
   * the socket handshake, also looks the user up: an admin's lock ends board access at once (423
   * `ACCOUNT_LOCKED`, as login and refresh answer); a lockout after failed sign-ins does not.
   */
  async authorize(token: string): Promise<VerifiedAccessToken> {
    const caller = await this.tokens.verifyAccessToken(token);
    if (caller.role !== 'admin') throw new Forbidden('The queue board is for admins only.');
    const [user, mustEnrol] = await RequestContext.create(this.orm.em, () => Promise.all([this.users.findById(caller.id), this.mfa.enrolmentRequired(caller.id, caller.role)]));
    if (!user) throw new TokenInvalid();
    if (isAdminLocked(user)) throw new AccountLocked();
    if (mustEnrol) throw new MfaRequired();
    return caller;
  }
}
