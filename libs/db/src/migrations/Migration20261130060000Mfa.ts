import { Migration } from '@mikro-orm/migrations';


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
    // The mfa.* security event types came with migration Sessions, with all of issue 19's.
  }

  override async down(): Promise<void> {
    this.addSql('drop table mfa_challenges;');
    this.addSql('drop table mfa_recovery_codes;');
    this.addSql('drop table totp_factors;');
  }
}
