import { Injectable } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Role, UserStatus, UserView } from '@bank/contracts/users';
import { Conflict } from '@bank/problems/domain-error';
import { SqlPool } from '@bank/db/sql-pool';
import { User } from './entities/user.entity';

const UPDATE_CONTACT = { name: 'users-update-contact', text: 'update users set address = $1, phone = $2, updated_at = now() where id = $3' };
const RENAME = { name: 'users-rename', text: 'update users set full_name = $1, updated_at = now() where id = $2' };

export interface NewUserRow {
  email: string;
  passwordHash: string;
  fullName: string;
  role: Role;
}

/** The one door to the users table. */
@Injectable()
export class UsersService {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: SqlPool,
  ) {}

  /** Creates a user (joins the caller's transaction, if any); a taken email is 409 `CONFLICT`. */
  async create(row: NewUserRow): Promise<User> {
    const user = this.em.create(User, { ...row, email: row.email.toLowerCase() });
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException && /users_email_unique/.test(error.message)) {
        this.em.getUnitOfWork().unsetIdentity(user);
        throw new Conflict('A user with this email already exists.');
      }
      throw error;
    }
    return user;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.em.findOne(User, { email: email.toLowerCase() });
  }

  findById(id: string): Promise<User | null> {
    return this.em.findOne(User, { id });
  }

  /** Names shown to counterparties, by user id. */
  async fullNames(ids: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await this.em.execute<Array<{ id: string; full_name: string }>>('select id, full_name from users where id in (?)', [unique]);
    return new Map(rows.map((row) => [row.id, row.full_name]));
  }

  async stats(): Promise<{ customers: number; lockedUsers: number; lastLockout: string | null }> {
    const [row] = await this.em.execute<Array<{ customers: string; locked: string; last_lockout: Date | null }>>(
      `select count(*) filter (where role = 'customer') as customers, count(*) filter (where status = 'locked') as locked, max(locked_at) as last_lockout from users`,
    );
    return { customers: Number(row.customers), lockedUsers: Number(row.locked), lastLockout: row.last_lockout ? new Date(row.last_lockout).toISOString() : null };
  }

  /** A KYC update's effect: the profile's address and phone are replaced (in the caller's transaction, SqlPool). */
  async updateContact(userId: string, contact: { address: string; phone: string }): Promise<void> {
    await this.sql.query(UPDATE_CONTACT, [contact.address, contact.phone, userId]);
  }

  /** A completed name change's effect: the profile's name, shown to counterparties from now on. */
  async rename(userId: string, fullName: string): Promise<void> {
    await this.sql.query(RENAME, [fullName, userId]);
  }

  /**
   * Counts one failed login; the one that reaches `threshold` locks the user. One conditional
   * UPDATE under the row lock, so concurrent failures are counted exactly and lock once.
   * Says whether this failure locked the user, or whether it was locked already (not counted then).
   */
  async countFailedLogin(userId: string, threshold: number): Promise<{ lockedNow: boolean; alreadyLocked: boolean; failedLogins: number }> {
    const rows = await this.em.execute<Array<{ status: string; failed_login_count: number }>>(
      `update users set failed_login_count = failed_login_count + 1,
         status = case when failed_login_count + 1 >= ? then 'locked' else status end,
         locked_at = case when failed_login_count + 1 >= ? then now() else locked_at end,
         lock_reason = case when failed_login_count + 1 >= ? then 'too many failed logins' else lock_reason end,
         updated_at = now()
       where id = ? and status = 'active'
       returning status, failed_login_count`,
      [threshold, threshold, threshold, userId],
    );
    if (rows.length === 0) return { lockedNow: false, alreadyLocked: true, failedLogins: threshold };
    return { lockedNow: rows[0].status === 'locked', alreadyLocked: false, failedLogins: rows[0].failed_login_count };
  }

  /** A successful login starts the count again. */
  async resetFailedLogins(userId: string): Promise<void> {
    await this.em.execute('update users set failed_login_count = 0, updated_at = now() where id = ? and failed_login_count > 0', [userId]);
  }

  /** An admin's lock: one conditional UPDATE; null when the user was locked already. */
  async lock(userId: string, reason: string): Promise<UserView | null> {
    const [row] = await this.em.execute<UserRow[]>(
      `update users set status = 'locked', locked_at = now(), lock_reason = ?, updated_at = now() where id = ? and status = 'active' returning *`,
      [reason, userId],
    );
    return row ? userRowToView(row) : null;
  }

  /** An admin's unlock: the failure count starts again; null when the user was not locked. */
  async unlock(userId: string): Promise<UserView | null> {
    const [row] = await this.em.execute<UserRow[]>(
      `update users set status = 'active', failed_login_count = 0, locked_at = null, lock_reason = null, updated_at = now() where id = ? and status = 'locked' returning *`,
      [userId],
    );
    return row ? userRowToView(row) : null;
  }

  async view(userId: string): Promise<UserView | null> {
    const [row] = await this.em.execute<UserRow[]>('select * from users where id = ?', [userId]);
    return row ? userRowToView(row) : null;
  }

  /** Users by status, keyset-paged by id. */
  async listByStatus(status: UserStatus | undefined, limit: number, afterId: string | null): Promise<UserView[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (status) conditions.push('status = ?') && params.push(status);
    if (afterId) conditions.push('id > ?') && params.push(afterId);
    const rows = await this.em.execute<UserRow[]>(`select * from users ${conditions.length ? `where ${conditions.join(' and ')}` : ''} order by id limit ?`, [...params, limit]);
    return rows.map(userRowToView);
  }
}

interface UserRow {
  id: string;
  email: string;
  full_name: string;
  role: Role;
  status: UserStatus;
  created_at: Date;
}

function userRowToView(row: UserRow): UserView {
  return { id: row.id, email: row.email, fullName: row.full_name, role: row.role, status: row.status, createdAt: new Date(row.created_at).toISOString() };
}
