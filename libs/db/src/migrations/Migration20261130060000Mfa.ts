import { Migration } from '@mikro-orm/migrations';

/** Every security event type before issue 19. */
const TYPES_BEFORE = ['login.failed', 'account.locked', 'account.unlocked', 'token.reused', 'admin_key.failed', 'rate_limited', 'pin.failed', 'card.blocked', 'staff.created'];
/**
 * Issue 19's new types, all six — also those of the sessions and hardening migrations — so the
 * three migrations may run in any order and each leaves the full list.
 */
const TYPES_ISSUE_19 = ['password.changed', 'session.revoked', 'mfa.enabled', 'mfa.disabled', 'mfa.failed', 'operator.unlocked'];
const quoted = (types: string[]) => types.map((type) => `'${type}'`).join(', ');

/**
 * TOTP two-factor sign-in (API.md "Sessions, password, two-factor sign-in"):
 * - `totp_factors`: one per user, `pending` from setup until the first code confirms it, then
 *   `active`. `last_time_step` is the newest accepted time step: a code is accepted only for a
 *   later step, by one conditional update, so a code is used once across every api process.
 * - `mfa_recovery_codes`: ten per enrolment, stored as SHA-256 digests, each spent once.
 * - `mfa_challenges`: the mfaToken a password sign-in answers (stored as its digest), redeemed
 *   once before it expires.
 */
export class Migration20261130060000Mfa extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table totp_factors (
        user_id uuid primary key references users (id) on delete cascade,
        secret text not null,
        status text not null check (status in ('pending', 'active')),
        last_time_step bigint,
        created_at timestamptz not null default now(),
        enabled_at timestamptz,
        check ((status = 'active') = (enabled_at is not null))
      );`);
    this.addSql(`
      create table mfa_recovery_codes (
        user_id uuid not null references users (id) on delete cascade,
        code_hash text not null,
        used_at timestamptz,
        created_at timestamptz not null default now(),
        primary key (user_id, code_hash)
      );`);
    this.addSql(`
      create table mfa_challenges (
        token_hash text primary key,
        user_id uuid not null references users (id) on delete cascade,
        expires_at timestamptz not null,
        used_at timestamptz,
        created_at timestamptz not null default now()
      );`);
    this.addSql('create index mfa_challenges_expires_at on mfa_challenges (expires_at);');
    this.addSql('alter table security_events drop constraint security_events_type_check;');
    this.addSql(`alter table security_events add constraint security_events_type_check check (type in (${quoted([...TYPES_BEFORE, ...TYPES_ISSUE_19])}));`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table security_events drop constraint security_events_type_check;');
    this.addSql(`alter table security_events add constraint security_events_type_check check (type in (${quoted(TYPES_BEFORE)})) not valid;`);
    this.addSql('drop table mfa_challenges;');
    this.addSql('drop table mfa_recovery_codes;');
    this.addSql('drop table totp_factors;');
  }
}
