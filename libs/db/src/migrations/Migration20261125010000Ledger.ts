import { Migration } from '@mikro-orm/migrations';

/**
 * The double-entry ledger (DESIGN.md "Money rules"): transactions, immutable entries whose
 * amounts sum to zero per transaction, a USD cash account for deposits and withdrawals,
 * idempotency keys, and the transactional outbox.
 */
export class Migration20261125010000Ledger extends Migration {
  override async up(): Promise<void> {
    // entry_count numbers an account's entries under its row lock (keyset pagination in commit
    // order); spent_today/spent_on track the daily transfer limit without scanning history.
    this.addSql(`
      alter table accounts
        add column entry_count bigint not null default 0,
        add column spent_today bigint not null default 0 check (spent_today >= 0),
        add column spent_on date;`);
    // The system cash account: its balance is derived from its entries and never locked or
    // rewritten, so it cannot serialize deposits (money rule 2).
    this.addSql(`
      insert into accounts (id, owner_id, number, kind, type, currency)
      values ('00000000-0000-4000-8000-000000000001', null, '900000000019', 'system', 'cash', 'USD');`);
    this.addSql(`
      create table ledger_transactions (
        id uuid primary key,
        seq bigint generated always as identity,
        kind text not null check (kind in ('deposit', 'withdrawal', 'transfer', 'reversal')),
        amount bigint not null check (amount > 0),
        currency char(3) not null,
        description text,
        initiated_by uuid references users (id),
        created_at timestamptz not null default now(),
        constraint ledger_transactions_seq_unique unique (seq)
      );`);
    this.addSql(`
      create table ledger_entries (
        id uuid primary key,
        transaction_id uuid not null references ledger_transactions (id),
        account_id uuid not null references accounts (id),
        counterparty_account_id uuid references accounts (id),
        amount bigint not null check (amount <> 0),
        balance_after bigint,
        account_seq bigint,
        created_at timestamptz not null default now(),
        constraint ledger_entries_account_seq_unique unique (account_id, account_seq),
        constraint ledger_entries_customer_fields check ((balance_after is null) = (account_seq is null))
      );`);
    this.addSql('create index ledger_entries_transaction_idx on ledger_entries (transaction_id);');
    this.addSql('create index ledger_entries_system_idx on ledger_entries (account_id) where account_seq is null;');
    this.addSql(`
      create function ledger_refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception 'ledger rows are immutable: % on % refused (post a reversing transaction instead)', tg_op, tg_table_name
          using errcode = 'integrity_constraint_violation';
      end $$;`);
    for (const table of ['ledger_entries', 'ledger_transactions']) {
      this.addSql(`create trigger ${table}_immutable before update or delete on ${table} for each row execute function ledger_refuse_change();`);
      this.addSql(`create trigger ${table}_no_truncate before truncate on ${table} for each statement execute function ledger_refuse_change();`);
    }
    // Checked at commit, once per transaction row: its entries must exist and sum to zero.
    this.addSql(`
      create function ledger_check_balanced() returns trigger language plpgsql as $$
      declare
        entry_sum numeric;
        entry_count integer;
      begin
        select coalesce(sum(amount), 0), count(*) into entry_sum, entry_count from ledger_entries where transaction_id = new.id;
        if entry_count < 2 or entry_sum <> 0 then
          raise exception 'ledger transaction % is unbalanced: % entries summing to %', new.id, entry_count, entry_sum
            using errcode = 'check_violation';
        end if;
        return null;
      end $$;`);
    this.addSql(`
      create constraint trigger ledger_transactions_balanced after insert on ledger_transactions
        deferrable initially deferred for each row execute function ledger_check_balanced();`);
    this.addSql(`
      create table idempotency_keys (
        user_id uuid not null references users (id),
        key text not null check (length(key) between 1 and 255),
        request_hash text not null,
        response_status integer,
        response_body jsonb,
        created_at timestamptz not null default now(),
        primary key (user_id, key)
      );`);
    this.addSql('create index idempotency_keys_created_idx on idempotency_keys (created_at);');
    // The transactional outbox. Writers append rows in their own transaction; the relay then gives
    // each committed row its public event id (event_seq) in the order it sees them committed, and
    // publishes it. Rows stay as the stored stream that reconnecting clients replay from.
    this.addSql(`
      create table outbox_events (
        id bigint generated always as identity primary key,
        recipient text not null check (recipient ~ '^(user:[0-9a-f-]{36}|role:(employee|admin))$'),
        type text not null,
        payload jsonb not null,
        occurred_at timestamptz not null default now(),
        event_seq bigint,
        published_at timestamptz,
        constraint outbox_events_seq_unique unique (event_seq)
      );`);
    this.addSql('create index outbox_events_unsequenced_idx on outbox_events (id) where event_seq is null;');
    this.addSql('create index outbox_events_unpublished_idx on outbox_events (event_seq) where event_seq is not null and published_at is null;');
    this.addSql('create index outbox_events_recipient_idx on outbox_events (recipient, event_seq) where event_seq is not null;');
    // Wakes the relay at commit (NOTIFY is transactional), once per writing statement, with no
    // extra round trip for the writer.
    this.addSql(`
      create function outbox_events_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('outbox_events', '');
        return null;
      end $$;`);
    this.addSql('create trigger outbox_events_notify after insert on outbox_events for each statement execute function outbox_events_notify();');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists outbox_events;');
    this.addSql('drop function if exists outbox_events_notify();');
    this.addSql('drop table if exists idempotency_keys;');
    this.addSql('drop table if exists ledger_entries;');
    this.addSql('drop table if exists ledger_transactions;');
    this.addSql('drop function if exists ledger_check_balanced();');
    this.addSql('drop function if exists ledger_refuse_change();');
    this.addSql(`delete from accounts where kind = 'system';`);
    this.addSql('alter table accounts drop column entry_count, drop column spent_today, drop column spent_on;');
  }
}
