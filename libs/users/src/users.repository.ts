import { Injectable } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import type { Role, UserStatus } from '@bank/contracts/users';
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

/** A users row as the hand-written statements return it. */
export interface UserRow {
  id: string;
  email: string;
  full_name: string;
  role: Role;
  status: UserStatus;
  created_at: Date;
}

/** A user as an admin inspects it: the `user` and the lock's facts. */
export interface UserDetailRow extends UserRow {
  locked_at: Date | null;
  lock_reason: string | null;
  failed_login_count: number;
}

export interface UserSearchFilter {
  status?: UserStatus;
  role?: Role;
  text?: string;
  ownerIds?: readonly string[];
}

/** `%`, `_` and the escape character itself match literally in ILIKE (its default escape is the backslash). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

export interface UserStatsRow {
  customers: string;
  locked: string;
  last_lockout: Date | null;
}

/** The failure counter after one more failed login, or none when the user was not active (locked already). */
export interface FailedLoginRow {
  status: UserStatus;
  failed_login_count: number;
}

export interface TokenRevocationRow {
  id: string;
  /** Epoch milliseconds, as text (bigint). */
  valid_after_ms: string;
  admin_locked: boolean;
}

const TOKEN_REVOCATION_SELECT = `select id, floor(extract(epoch from tokens_valid_after) * 1000)::bigint as valid_after_ms,
  (status = 'locked' and lock_kind is distinct from 'lockout') as admin_locked from users`;

/** The users table's statements. Every one joins the caller's transaction, if any. */
@Injectable()
export class UsersRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: SqlPool,
  ) {}

  /** The new user (the unit of work flushed), or null when the email is taken. */
  async insert(row: NewUserRow): Promise<User | null> {
    const user = this.em.create(User, row);
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException && /users_email_unique/.test(error.message)) {
        // The refused entity must not be flushed again by the caller's next flush.
        this.em.getUnitOfWork().unsetIdentity(user);
        return null;
      }
      throw error;
    }
    return user;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.em.findOne(User, { email });
  }

  findById(id: string): Promise<User | null> {
    return this.em.findOne(User, { id });
  }

  fullNames(ids: readonly string[]): Promise<Array<{ id: string; full_name: string }>> {
    return this.em.execute<Array<{ id: string; full_name: string }>>('select id, full_name from users where id in (?)', [ids]);
  }

  async stats(): Promise<UserStatsRow> {
    const [row] = await this.em.execute<UserStatsRow[]>(
      `select count(*) filter (where role = 'customer') as customers, count(*) filter (where status = 'locked') as locked, max(locked_at) as last_lockout from users`,
    );
    return row;
  }

  async updateContact(userId: string, contact: { address: string; phone: string }): Promise<void> {
    await this.sql.query(UPDATE_CONTACT, [contact.address, contact.phone, userId]);
  }

  async rename(userId: string, fullName: string): Promise<void> {
    await this.sql.query(RENAME, [fullName, userId]);
  }

  /**
   * One conditional UPDATE under the row lock, so concurrent failures are counted exactly and
   * lock once; null when the user was not active.
   */
  async countFailedLogin(userId: string, threshold: number): Promise<FailedLoginRow | null> {
    const [row] = await this.em.execute<FailedLoginRow[]>(
      `update users set failed_login_count = failed_login_count + 1,
         status = case when failed_login_count + 1 >= ? then 'locked' else status end,
         locked_at = case when failed_login_count + 1 >= ? then now() else locked_at end,
         lock_reason = case when failed_login_count + 1 >= ? then 'too many failed logins' else lock_reason end,
         lock_kind = case when failed_login_count + 1 >= ? then 'lockout' else lock_kind end,
         updated_at = now()
       where id = ? and status = 'active'
       returning status, failed_login_count`,
      [threshold, threshold, threshold, threshold, userId],
    );
    return row ?? null;
  }

  async resetFailedLogins(userId: string): Promise<void> {
    await this.em.execute('update users set failed_login_count = 0, updated_at = now() where id = ? and failed_login_count > 0', [userId]);
  }

  /**
   * An admin's lock: also of a user locked out by failed sign-ins (an admin's lock then ends their
   * sessions too). Tokens issued before `at` are refused from now on. Null when the user was
   * locked by an admin already.
   */
  async lock(userId: string, reason: string, at: Date): Promise<UserRow | null> {
    const [row] = await this.em.execute<UserRow[]>(
      `update users set status = 'locked', lock_kind = 'admin', locked_at = now(), lock_reason = ?, tokens_valid_after = greatest(tokens_valid_after, ?), updated_at = now()
       where id = ? and (status = 'active' or lock_kind = 'lockout') returning *`,
      [reason, at, userId],
    );
    return row ?? null;
  }

  /**
   * Null when the user was not locked. Ending an admin's lock sets `tokens_valid_after` to `at`:
   * every token from before the unlock stays refused (none was issued during the lock), one from
   * a sign-in after it passes — also when the lock set it a little ahead. Ending a lockout leaves
   * the user's sessions as they were.
   */
  async unlock(userId: string, at: Date): Promise<UserRow | null> {
    const [row] = await this.em.execute<UserRow[]>(
      `update users set status = 'active', failed_login_count = 0, locked_at = null, lock_reason = null, lock_kind = null,
         tokens_valid_after = case when lock_kind is distinct from 'lockout' then ? else tokens_valid_after end,
         updated_at = now()
       where id = ? and status = 'locked' returning *`,
      [at, userId],
    );
    return row ?? null;
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.em.execute('update users set password_hash = ?, updated_at = now() where id = ?', [passwordHash, userId]);
  }

  /** When the user's tokens became valid, and whether an admin's lock is in force: what every api process keeps of them. */
  async tokenRevocation(userId: string): Promise<TokenRevocationRow | null> {
    const [row] = await this.em.execute<TokenRevocationRow[]>(`${TOKEN_REVOCATION_SELECT} where id = ? and tokens_valid_after is not null`, [userId]);
    return row ?? null;
  }

  async find(userId: string): Promise<UserRow | null> {
    const [row] = await this.em.execute<UserRow[]>('select * from users where id = ?', [userId]);
    return row ?? null;
  }

  /**
   * One page of users, keyset-paged by id: every filter given must hold; `text` is a part of the
   * email or the name (case-insensitive, through the trigram indexes); `ownerIds` (not empty) the
   * users it may be.
   */
  search(filter: UserSearchFilter, limit: number, afterId: string | null): Promise<UserRow[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.status) conditions.push('status = ?') && params.push(filter.status);
    if (filter.role) conditions.push('role = ?') && params.push(filter.role);
    if (filter.text !== undefined) {
      const pattern = `%${escapeLike(filter.text)}%`;
      conditions.push('(email ilike ? or full_name ilike ?)');
      params.push(pattern, pattern);
    }
    if (filter.ownerIds) conditions.push('id in (?)') && params.push(filter.ownerIds);
    if (afterId) conditions.push('id > ?') && params.push(afterId);
    return this.em.execute<UserRow[]>(
      `select id, email, full_name, role, status, created_at from users ${conditions.length ? `where ${conditions.join(' and ')}` : ''} order by id limit ?`,
      [...params, limit],
    );
  }

  async findDetail(userId: string): Promise<UserDetailRow | null> {
    const [row] = await this.em.execute<UserDetailRow[]>(
      'select id, email, full_name, role, status, created_at, locked_at, lock_reason, failed_login_count from users where id = ?',
      [userId],
    );
    return row ?? null;
  }

  /** Users whose tokens_valid_after is within the last `withinS` seconds (older ones have no valid token left). Runs outside any request (at start). */
  tokenRevocationsWithin(withinS: number): Promise<TokenRevocationRow[]> {
    return this.em
      .fork()
      .getConnection()
      .execute<TokenRevocationRow[]>(`${TOKEN_REVOCATION_SELECT} where tokens_valid_after > now() - make_interval(secs => ?)`, [withinS]);
  }
}
