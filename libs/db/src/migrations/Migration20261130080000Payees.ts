import { Migration } from '@mikro-orm/migrations';

/**
 * Saved payees (issue 20): a customer's own names for account numbers they pay. The number is kept
 * as typed (account numbers never change); the holder's name is not stored — the list reads it at
 * list time, so a name change shows. One number once per customer; the owner's list, newest
 * first, is an index scan. The cap (PAYEES_MAX) is the service's, counted under a per-owner lock.
 */
export class Migration20261130080000Payees extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table payees (
        id uuid primary key,
        owner_id uuid not null references users (id),
        account_number char(12) not null check (account_number ~ '^[0-9]{12}$'),
        nickname text not null check (char_length(nickname) between 1 and 40),
        created_at timestamptz not null default now(),
        constraint payees_owner_account_unique unique (owner_id, account_number)
      );`);
    this.addSql('create index payees_owner_created_idx on payees (owner_id, created_at desc, id desc);');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists payees;');
  }
}
