import { Injectable } from '@nestjs/common';
import type { UserView } from '@bank/contracts/users';
import { Conflict } from '@bank/problems/domain-error';
import type { User } from './entities/user.entity';
import { UsersRepository, type NewUserRow, type TokenRevocationRow, type UserRow, type UserSearchFilter } from './users.repository';

/** A user's tokens issued before `validAfterMs` are refused; `adminLocked`: an admin's lock is in force. */
export interface TokenRevocation {
  userId: string;
  validAfterMs: number;
  adminLocked: boolean;
}

function toTokenRevocation(row: TokenRevocationRow): TokenRevocation {
  return { userId: row.id, validAfterMs: Number(row.valid_after_ms), adminLocked: row.admin_locked };
}

/** The one door to the users table. */
@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  /** Creates a user (joins the caller's transaction, if any); a taken email is 409 `CONFLICT`. */
  async create(row: NewUserRow): Promise<User> {
    const user = await this.users.insert({ ...row, email: row.email.toLowerCase() });
    if (!user) throw new Conflict('A user with this email already exists.');
    return user;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findByEmail(email.toLowerCase());
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  /** Names shown to counterparties, by user id. */
  async fullNames(ids: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await this.users.fullNames(unique);
    return new Map(rows.map((row) => [row.id, row.full_name]));
  }

  async stats(): Promise<{ customers: number; lockedUsers: number; lastLockout: string | null }> {
    const row = await this.users.stats();
    return { customers: Number(row.customers), lockedUsers: Number(row.locked), lastLockout: row.last_lockout ? new Date(row.last_lockout).toISOString() : null };
  }

  /** A KYC update's effect: the profile's address and phone are replaced (in the caller's transaction, SqlPool). */
  updateContact(userId: string, contact: { address: string; phone: string }): Promise<void> {
    return this.users.updateContact(userId, contact);
  }

  /** A completed name change's effect: the profile's name, shown to counterparties from now on. */
  rename(userId: string, fullName: string): Promise<void> {
    return this.users.rename(userId, fullName);
  }

  /**
   * Counts one failed login; the one that reaches `threshold` locks the user. Concurrent failures
   * are counted exactly and lock once. Says whether this failure locked the user, or whether it
   * was locked already (not counted then).
   */
  async countFailedLogin(userId: string, threshold: number): Promise<{ lockedNow: boolean; alreadyLocked: boolean; failedLogins: number }> {
    const row = await this.users.countFailedLogin(userId, threshold);
    if (!row) return { lockedNow: false, alreadyLocked: true, failedLogins: threshold };
    return { lockedNow: row.status === 'locked', alreadyLocked: false, failedLogins: row.failed_login_count };
  }

  /** A successful login starts the count again. */
  resetFailedLogins(userId: string): Promise<void> {
    return this.users.resetFailedLogins(userId);
  }

  /**
   * An admin's lock (also over a lockout after failed sign-ins): the user's tokens issued before
   * `at` are refused from now on. Null when an admin had locked the user already.
   */
  async lock(userId: string, reason: string, at = new Date()): Promise<UserView | null> {
    const row = await this.users.lock(userId, reason, at);
    return row ? userRowToView(row) : null;
  }

  /**
   * An unlock: the failure count starts again; ending an admin's lock also refuses tokens issued
   * before `at`. Null when the user was not locked.
   */
  async unlock(userId: string, at = new Date()): Promise<UserView | null> {
    const row = await this.users.unlock(userId, at);
    return row ? userRowToView(row) : null;
  }

  /** A new password hash (Argon2id, from SecretHasher). */
  setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    return this.users.setPasswordHash(userId, passwordHash);
  }

  /** The user's `tokens_valid_after` and whether an admin's lock is in force; null when it was never set. */
  async tokenRevocation(userId: string): Promise<TokenRevocation | null> {
    const row = await this.users.tokenRevocation(userId);
    return row ? toTokenRevocation(row) : null;
  }

  async view(userId: string): Promise<UserView | null> {
    const row = await this.users.find(userId);
    return row ? userRowToView(row) : null;
  }

  /** One page of users matching every filter given, keyset-paged by id (see UsersRepository.search). */
  async search(filter: UserSearchFilter, limit: number, afterId: string | null): Promise<UserView[]> {
    return (await this.users.search(filter, limit, afterId)).map(userRowToView);
  }

  /** The user with the lock's facts, for an admin; null when there is no such user. */
  async detail(userId: string): Promise<(UserView & { lockedAt: string | null; lockReason: string | null; failedLogins: number }) | null> {
    const row = await this.users.findDetail(userId);
    if (!row) return null;
    return {
      ...userRowToView(row),
      lockedAt: row.locked_at ? new Date(row.locked_at).toISOString() : null,
      lockReason: row.lock_reason,
      failedLogins: row.failed_login_count,
    };
  }

  /** Every user whose `tokens_valid_after` lies within the last `withinS` seconds. */
  async tokenRevocationsWithin(withinS: number): Promise<TokenRevocation[]> {
    return (await this.users.tokenRevocationsWithin(withinS)).map(toTokenRevocation);
  }
}

function userRowToView(row: UserRow): UserView {
  return { id: row.id, email: row.email, fullName: row.full_name, role: row.role, status: row.status, createdAt: new Date(row.created_at).toISOString() };
}
