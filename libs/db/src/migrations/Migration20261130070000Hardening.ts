import { Migration } from '@mikro-orm/migrations';

const TYPES_BEFORE = ['login.failed', 'account.locked', 'account.unlocked', 'token.reused', 'admin_key.failed', 'rate_limited', 'pin.failed', 'card.blocked', 'staff.created'];
/** Issue 19's new types, all six, so the three migrations of that issue may run in any order. */
const TYPES_OF_ISSUE_19 = ['password.changed', 'session.revoked', 'mfa.enabled', 'mfa.disabled', 'mfa.failed', 'operator.unlocked'];
const quoted = (types: string[]) => types.map((type) => `'${type}'`).join(', ');

/**
 * The break-glass unlock (`npm run cli -- unlock-user`) is audited as `operator.unlocked`, and
 * checks the operator's ADMIN_KEY against the digest the api processes record here at start (the
 * CLI has no other way to tell the platform's key from a wrong one).
 */
export class Migration20261130070000Hardening extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table security_events drop constraint security_events_type_check;');
    this.addSql(`alter table security_events add constraint security_events_type_check check (type in (${quoted([...TYPES_BEFORE, ...TYPES_OF_ISSUE_19])}));`);
    this.addSql(`
      create table admin_key_digest (
        singleton boolean primary key default true check (singleton),
        digest text not null,
        recorded_at timestamptz not null default now()
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists admin_key_digest;');
    this.addSql('alter table security_events drop constraint security_events_type_check;');
    this.addSql(`alter table security_events add constraint security_events_type_check check (type in (${quoted(TYPES_BEFORE)})) not valid;`);
  }
}
