import { Migration } from '@mikro-orm/migrations';

/** Service requests and their stored history (DESIGN.md "Service-request lifecycle"). */
export class Migration20261125020000Requests extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table service_requests (
        id uuid primary key,
        seq bigint generated always as identity,
        type text not null check (type in ('card_pin_reset', 'name_change', 'kyc_update', 'limit_increase', 'account_freeze', 'account_unfreeze', 'account_closure')),
        status text not null check (status in ('submitted', 'pending_review', 'in_review', 'awaiting_customer', 'approved', 'completed', 'rejected', 'cancelled', 'expired', 'failed')),
        owner_id uuid not null references users (id),
        account_id uuid references accounts (id),
        details jsonb not null default '{}',
        assignee_id uuid references users (id),
        resolution text,
        expires_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint service_requests_seq_unique unique (seq)
      );`);
    this.addSql('create index service_requests_owner_idx on service_requests (owner_id, seq);');
    this.addSql('create index service_requests_status_idx on service_requests (status, seq);');
    this.addSql(`
      create table service_request_history (
        id bigint generated always as identity primary key,
        request_id uuid not null references service_requests (id),
        from_status text,
        to_status text not null,
        actor_id uuid references users (id),
        note text,
        at timestamptz not null default now()
      );`);
    this.addSql('create index service_request_history_request_idx on service_request_history (request_id, id);');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists service_request_history;');
    this.addSql('drop table if exists service_requests;');
  }
}
