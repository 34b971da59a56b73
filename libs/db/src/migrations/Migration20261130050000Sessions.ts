import { Migration } from '@mikro-orm/migrations';

const TYPES_BEFORE = ['login.failed', 'account.locked', 'account.unlocked', 'token.reused', 'admin_key.failed', 'rate_limited', 'pin.failed', 'card.blocked', 'staff.created'];
/** Issue 19's new types, all of them here at once: sessions and password, two-factor (migration Mfa), the break-glass unlock (migration Hardening). */
const TYPES_ISSUE_19 = ['password.changed', 'session.revoked', 'mfa.enabled', 'mfa.disabled', 'mfa.failed', 'operator.unlocked'];
const quoted = (types: string[]) => types.map((type) => `'${type}'`).join(', ');

/**
 * Sessions a user can see and end (issue 19), and revocation that survives a restart.
 *
 * - `sessions`: one row per refresh-token family (its id is the family id, and the `sid` claim of
 *   the access tokens issued in it), with where it was started from and when it was last used.
 *   Revoking it revokes its refresh tokens; api processes refuse its access tokens from the
 *   moment they learn of it, and read the recently revoked ones at start.
 * - `users.tokens_valid_after`: access tokens of the user issued before it are refused (an
 *   admin's lock and unlock move it). Read at start by every api process: this replaces seeding
 *   from `locked_at`, which an unlock clears.
 * - `users.lock_kind`: `lockout` (too many failed sign-ins: blocks new password sign-ins only) or
 *   `admin` (an admin's lock: ends everything). A lock without a kind counts as an admin's.
 */
export class Migration20261130050000Sessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table users add column tokens_valid_after timestamptz, add column lock_kind text check (lock_kind in ('admin', 'lockout'));`);
    this.addSql(`update users set lock_kind = case when lock_reason = 'too many failed logins' then 'lockout' else 'admin' end where status = 'locked';`);
    this.addSql(`update users set tokens_valid_after = locked_at where status = 'locked' and lock_kind = 'admin';`);
    this.addSql('create index users_tokens_valid_after_idx on users (tokens_valid_after) where tokens_valid_after is not null;');

    this.addSql(`
      create table sessions (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        user_agent text,
        ip text,
        created_at timestamptz not null default now(),
        last_used_at timestamptz not null default now(),
        revoked_at timestamptz
      );`);
    this.addSql('create index sessions_user_idx on sessions (user_id, last_used_at desc) where revoked_at is null;');
    this.addSql('create index sessions_revoked_idx on sessions (revoked_at) where revoked_at is not null;');
    // The families that exist already become sessions (origin unknown); dead ones are revoked.
    this.addSql(`
      insert into sessions (id, user_id, created_at, last_used_at, revoked_at)
      select family_id, min(user_id::text)::uuid, min(created_at), max(created_at),
             case when bool_or(used_at is null and revoked_at is null and expires_at > now()) then null else coalesce(max(revoked_at), max(created_at)) end
        from refresh_tokens group by family_id;`);
    this.addSql('alter table refresh_tokens add constraint refresh_tokens_session_fk foreign key (family_id) references sessions (id) on delete cascade;');

    this.addSql('alter table security_events drop constraint security_events_type_check;');
    this.addSql(`alter table security_events add constraint security_events_type_check check (type in (${quoted([...TYPES_BEFORE, ...TYPES_ISSUE_19])}));`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table security_events drop constraint security_events_type_check;');
    this.addSql(`alter table security_events add constraint security_events_type_check check (type in (${quoted(TYPES_BEFORE)})) not valid;`);
    this.addSql('alter table refresh_tokens drop constraint if exists refresh_tokens_session_fk;');
    this.addSql('drop table if exists sessions;');
    this.addSql('drop index if exists users_tokens_valid_after_idx;');
    this.addSql('alter table users drop column if exists lock_kind, drop column if exists tokens_valid_after;');
  }
}
