import { Migration } from '@mikro-orm/migrations';

/** Security events (DESIGN.md "Security"): append-only, refused UPDATE/DELETE/TRUNCATE by PostgreSQL itself. */
export class Migration20261125030000Security extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table security_events (
        id bigint generated always as identity primary key,
        type text not null check (type in ('login.failed', 'account.locked', 'account.unlocked', 'token.reused', 'admin_key.failed', 'rate_limited', 'pin.failed', 'card.blocked')),
        user_id uuid references users (id),
        ip text,
        detail jsonb not null default '{}',
        created_at timestamptz not null default now()
      );`);
    this.addSql('create index security_events_type_idx on security_events (type, id);');
    this.addSql('create index security_events_user_idx on security_events (user_id, id);');
    this.addSql(`
      create function security_events_refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception 'security events are append-only: % refused', tg_op;
      end $$;`);
    this.addSql('create trigger security_events_append_only before update or delete on security_events for each row execute function security_events_refuse_change();');
    this.addSql('create trigger security_events_no_truncate before truncate on security_events for each statement execute function security_events_refuse_change();');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists security_events;');
    this.addSql('drop function if exists security_events_refuse_change();');
  }
}
