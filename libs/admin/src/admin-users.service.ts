import { Injectable } from '@nestjs/common';
import { isValidAccountNumber } from '@bank/contracts/account-number';
import { USER_DETAIL_EVENTS_MAX, type AdminUserDetail } from '@bank/contracts/admin';
import type { Page } from '@bank/contracts/pagination';
import type { UserListQuery } from '@bank/contracts/security';
import type { UserView } from '@bank/contracts/users';
import { UsersService } from '@bank/users/users.service';
import { AccountsService } from '@bank/accounts/accounts.service';
import { SecurityEventsService } from '@bank/security/security-events.service';
import { TokenService } from '@bank/auth/token.service';
import { NotFound, ValidationFailed } from '@bank/problems/domain-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Spaces and dashes people type inside an account number ("1234 5678 9012"). */
function asAccountNumber(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '');
  return isValidAccountNumber(digits) ? digits : null;
}

/** What admins read about users: the search (`GET /admin/users`) and one user's page (`GET /admin/users/:id`). */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: UsersService,
    private readonly accounts: AccountsService,
    private readonly securityEvents: SecurityEventsService,
    private readonly tokens: TokenService,
  ) {}

  /**
   * Keyset-paged by id (the order `GET /admin/users` always had, so its cursors stay valid). `q`
   * matches a part of the email or the name — or, when it is a valid account number (check digit
   * included), only the owner of that account: nobody's email or name holds 12 such digits, and
   * the unique index answers at once.
   */
  async search(query: UserListQuery): Promise<Page<UserView>> {
    const afterId = query.cursor ? decodeUserCursor(query.cursor) : null;
    const number = query.q === undefined ? null : asAccountNumber(query.q);
    const owner = number ? await this.accounts.ownerOfNumber(number) : null;
    const filter = { status: query.status, role: query.role };
    const rows = number
      ? owner
        ? await this.users.search({ ...filter, ownerIds: [owner] }, query.limit + 1, afterId)
        : []
      : await this.users.search({ ...filter, text: query.q }, query.limit + 1, afterId);
    const items = rows.slice(0, query.limit);
    return { items, nextCursor: rows.length > query.limit ? encodeUserCursor(items[items.length - 1].id) : null };
  }

  async detail(userId: string): Promise<AdminUserDetail> {
    const [user, accounts, sessions, recentSecurityEvents] = await Promise.all([
      this.users.detail(userId),
      this.accounts.viewsForOwner(userId),
      this.tokens.liveSessionCount(userId),
      this.securityEvents.latestOfUser(userId, USER_DETAIL_EVENTS_MAX),
    ]);
    if (!user) throw new NotFound('The user');
    return { ...user, accounts, sessions, recentSecurityEvents };
  }
}

function encodeUserCursor(id: string): string {
  return Buffer.from(`id:${id}`).toString('base64url');
}

function decodeUserCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString();
  const id = text.startsWith('id:') ? text.slice(3) : '';
  if (!UUID.test(id)) throw new ValidationFailed([{ path: 'cursor', message: 'is not a cursor this api issued' }]);
  return id;
}
