import { Migration } from '@mikro-orm/migrations';

/**
 * The break-glass unlock (`npm run cli -- unlock-user`) is audited as `operator.unlocked` (a type
 * migration Sessions added with all of issue 19's), and checks the operator's ADMIN_KEY against the digest the api processes record here at start (the
 * CLI has no other way to tell the platform's key from a wrong one).
 */
export class Migration20261130070000Hardening extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table admin_key_digest (
        singleton boolean primary key default true check (singleton),
        digest text not null,
        recorded_at timestamptz not null default now()
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists admin_key_digest;');
  }
}
