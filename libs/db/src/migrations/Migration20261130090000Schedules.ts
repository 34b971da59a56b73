import { Migration } from '@mikro-orm/migrations';

/**
 * Scheduled and recurring transfers (API.md "Payees, scheduled transfers, search, statements";
 * docs/architecture.md "Scheduled transfers"). A schedule is the body of a transfer plus when to
 * send it; the worker pays each due date through the ordinary money path (`money_execute`, key
 * `schedule:<id>:<date>`) and then records the run here. Money never moves in this migration.
 *
 * Invariants kept here:
 *   S1 a date is recorded at most once per schedule (primary key (schedule_id, run_on)), and only
 *      while it is the schedule's `next_run_on` (scheduled_transfer_record_run checks it under the
 *      row lock): two workers or a retry cannot record a date twice or skip one;
 *   S2 `next_run_on` is set exactly while the schedule is active; `runs_made` counts its runs;
 *   S3 a run's answer is whole: a posted run names its transaction, a held one its hold, a refused
 *      one its code — and nothing else;
 *   S4 every change (created, ran, cancelled) appends `schedule.updated` to the owner in the same
 *      transaction, and a refused run its `schedule.refused` notification (N1 of Notifications).
 *
 * Lock order: the schedule row, then (a refused run) the owner's inbox row via notification_add.
 * The money path never touches these tables.
 */
export class Migration20261130090000Schedules extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table scheduled_transfers (
        id uuid primary key default gen_random_uuid(),
        seq bigint generated always as identity,
        owner_id uuid not null references users (id),
        from_account_id uuid not null references accounts (id),
        to_account_number text not null check (length(to_account_number) <= 34),
        amount bigint not null check (amount between 1 and 100000000000),
        description text check (length(description) <= 140),
        start_on date not null,
        frequency text not null check (frequency in ('once', 'weekly', 'monthly')),
        run_count integer check (run_count between 1 and 600 and (frequency <> 'once' or run_count = 1)),
        status text not null default 'active' check (status in ('active', 'finished', 'cancelled')),
        next_run_on date,
        runs_made integer not null default 0 check (runs_made >= 0 and runs_made <= coalesce(run_count, runs_made)),
        created_at timestamptz not null default now(),
        cancelled_at timestamptz,
        constraint scheduled_transfers_next_when_active check ((status = 'active') = (next_run_on is not null)),
        constraint scheduled_transfers_cancelled_at check ((status = 'cancelled') = (cancelled_at is not null))
      );`);
    // The worker's look for due schedules: only active ones are indexed, so finished ones cost nothing.
    this.addSql(`create index scheduled_transfers_due_idx on scheduled_transfers (next_run_on) where status = 'active';`);
    this.addSql('create index scheduled_transfers_owner_idx on scheduled_transfers (owner_id, seq desc);');

    this.addSql(`
      create table scheduled_transfer_runs (
        schedule_id uuid not null references scheduled_transfers (id),
        run_on date not null,
        outcome text not null check (outcome in ('posted', 'held', 'refused')),
        transaction_id uuid,
        hold_id uuid,
        code text check (length(code) <= 64),
        recorded_at timestamptz not null default now(),
        primary key (schedule_id, run_on),
        constraint scheduled_transfer_runs_whole check (
          (outcome = 'posted' and transaction_id is not null and hold_id is null and code is null)
          or (outcome = 'held' and hold_id is not null and transaction_id is null and code is null)
          or (outcome = 'refused' and code is not null and transaction_id is null and hold_id is null))
      );`);

    // API.md's `schedule`: the body, the state, and the latest runs oldest first.
    this.addSql(`
      create function scheduled_transfer_view(s scheduled_transfers) returns jsonb language sql stable as $$
        select jsonb_build_object(
          'id', s.id, 'status', s.status, 'nextRunOn', to_char(s.next_run_on, 'YYYY-MM-DD'),
          'fromAccountId', s.from_account_id, 'toAccountNumber', s.to_account_number, 'amount', s.amount,
          'startOn', to_char(s.start_on, 'YYYY-MM-DD'), 'frequency', s.frequency,
          'runsMade', s.runs_made, 'createdAt', iso_utc(s.created_at), 'cancelledAt', iso_utc(s.cancelled_at),
          'runs', coalesce((
            select jsonb_agg(jsonb_build_object('on', to_char(r.run_on, 'YYYY-MM-DD'), 'outcome', r.outcome,
                     'transactionId', r.transaction_id, 'holdId', r.hold_id, 'code', r.code) order by r.run_on)
            from (select * from scheduled_transfer_runs where schedule_id = s.id order by run_on desc limit 100) r), '[]'::jsonb))
          || case when s.description is null then '{}'::jsonb else jsonb_build_object('description', s.description) end
          || case when s.run_count is null then '{}'::jsonb else jsonb_build_object('count', s.run_count) end
      $$;`);

    // S4: a new schedule, announced to the owner's other devices.
    this.addSql(`
      create function scheduled_transfer_create(p_owner uuid, p_from uuid, p_to text, p_amount bigint, p_description text,
        p_start date, p_frequency text, p_count integer) returns jsonb language plpgsql as $$
      declare
        created scheduled_transfers;
        view jsonb;
      begin
        insert into scheduled_transfers (owner_id, from_account_id, to_account_number, amount, description, start_on, frequency, run_count, next_run_on)
        values (p_owner, p_from, p_to, p_amount, p_description, p_start, p_frequency, p_count, p_start)
        returning * into created;
        view := scheduled_transfer_view(created);
        insert into outbox_events (recipient, type, payload) values ('user:' || p_owner, 'schedule.updated', view);
        return view;
      end $$;`);

    // S1–S4: records the run of p_on (the answer the money path gave it) and moves the schedule on
    // to p_next (null: all runs made). Null when p_on is not the schedule's next run any more
    // (recorded already, or the schedule is no longer active): then nothing changed.
    this.addSql(`
      create function scheduled_transfer_record_run(p_schedule uuid, p_on date, p_outcome text, p_transaction uuid, p_hold uuid,
        p_code text, p_next date) returns jsonb language plpgsql as $$
      declare
        s scheduled_transfers;
        view jsonb;
      begin
        select * into s from scheduled_transfers where id = p_schedule for update;
        if not found or s.status <> 'active' or s.next_run_on <> p_on then
          return null;
        end if;
        insert into scheduled_transfer_runs (schedule_id, run_on, outcome, transaction_id, hold_id, code)
        values (p_schedule, p_on, p_outcome, p_transaction, p_hold, p_code)
        on conflict do nothing;
        if not found then
          return null;
        end if;
        update scheduled_transfers
        set runs_made = runs_made + 1, next_run_on = p_next, status = case when p_next is null then 'finished' else 'active' end
        where id = p_schedule
        returning * into s;
        if p_outcome = 'refused' then
          perform notification_add(s.owner_id, 'schedule.refused', 'Scheduled transfer not sent',
            notification_amount(s.amount, (select currency::text from accounts where id = s.from_account_id))
              || ' to account ' || s.to_account_number || ' due on ' || to_char(p_on, 'YYYY-MM-DD') || ' was not sent: '
              || case p_code
                   when 'INSUFFICIENT_FUNDS' then 'there was not enough money in the account.'
                   when 'DAILY_LIMIT_EXCEEDED' then 'it would have gone over the account''s daily limit.'
                   when 'ACCOUNT_FROZEN' then 'one of the accounts is frozen or closed.'
                   when 'NOT_FOUND' then 'the account no longer exists.'
                   when 'CURRENCY_MISMATCH' then 'the accounts are in different currencies.'
                   else 'the bank refused it (' || p_code || ').' end
              || case when p_next is null then '' else ' The next one is due on ' || to_char(p_next, 'YYYY-MM-DD') || '.' end,
            null, null);
        end if;
        view := scheduled_transfer_view(s);
        insert into outbox_events (recipient, type, payload) values ('user:' || s.owner_id, 'schedule.updated', view);
        return view;
      end $$;`);

    // The owner cancels an active schedule: {schedule}, or {refused: NOT_FOUND | INVALID_STATE_TRANSITION, status}.
    this.addSql(`
      create function scheduled_transfer_cancel(p_schedule uuid, p_owner uuid) returns jsonb language plpgsql as $$
      declare
        s scheduled_transfers;
        view jsonb;
      begin
        select * into s from scheduled_transfers where id = p_schedule and owner_id = p_owner for update;
        if not found then
          return jsonb_build_object('refused', 'NOT_FOUND');
        end if;
        if s.status <> 'active' then
          return jsonb_build_object('refused', 'INVALID_STATE_TRANSITION', 'status', s.status);
        end if;
        update scheduled_transfers set status = 'cancelled', next_run_on = null, cancelled_at = now() where id = p_schedule returning * into s;
        view := scheduled_transfer_view(s);
        insert into outbox_events (recipient, type, payload) values ('user:' || p_owner, 'schedule.updated', view);
        return jsonb_build_object('schedule', view);
      end $$;`);

    // Notifications learn the new kind (the list of Notifications' check, plus schedule.refused).
    this.addSql('alter table notifications drop constraint notifications_kind_check;');
    this.addSql(`
      alter table notifications add constraint notifications_kind_check check (kind in ('money.received', 'money.sent', 'hold.updated',
        'request.updated', 'security.sign_in', 'security.password_changed', 'security.card_blocked', 'security.session_revoked',
        'security.mfa_changed', 'schedule.refused'));`);
  }

  override async down(): Promise<void> {
    this.addSql("delete from notifications where kind = 'schedule.refused';");
    this.addSql('alter table notifications drop constraint notifications_kind_check;');
    this.addSql(`
      alter table notifications add constraint notifications_kind_check check (kind in ('money.received', 'money.sent', 'hold.updated',
        'request.updated', 'security.sign_in', 'security.password_changed', 'security.card_blocked', 'security.session_revoked',
        'security.mfa_changed'));`);
    this.addSql('drop function if exists scheduled_transfer_cancel(uuid, uuid);');
    this.addSql('drop function if exists scheduled_transfer_record_run(uuid, date, text, uuid, uuid, text, date);');
    this.addSql('drop function if exists scheduled_transfer_create(uuid, uuid, text, bigint, text, date, text, integer);');
    this.addSql('drop function if exists scheduled_transfer_view(scheduled_transfers);');
    this.addSql('drop table if exists scheduled_transfer_runs;');
    this.addSql('drop table if exists scheduled_transfers;');
  }
}
