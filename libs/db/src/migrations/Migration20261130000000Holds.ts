import { Migration } from '@mikro-orm/migrations';

/**
 * Holds: transfers reviewed before they post (two-phase; API.md "Holds", DESIGN.md money rule 8).
 * A transfer that matches a review rule reserves its amount instead of posting: the source's
 * `held` grows (availableBalance = balance − held), its daily limit counts the amount, and a
 * `transfer_review` service request carries the decision to an employee — all in the same call of
 * `money_execute`, under the same row locks, as every other money command.
 *
 * Invariants kept here, each next to the code that keeps it:
 *   H1 a customer account's available balance never goes below zero: CHECK (balance − held ≥ 0),
 *      and `held` is the sum of its pending holds (every change of a hold's status moves `held`
 *      by its amount in the same statement sequence, under the account's row lock);
 *   H2 a hold is decided exactly once: only a pending hold may change (trigger), and a decided one
 *      has its time, and a posted one its transaction (CHECKs);
 *   H3 a hold follows its request: the request's status decides the hold (trigger on
 *      service_requests) — rejected → voided, cancelled → cancelled, expired → expired, failed →
 *      voided; posting happens in the fulfilment of an approved request (hold_post). So
 *      approve, reject, cancel and expiry race on the request's row lock, and exactly one wins;
 *   H4 only posting writes entries, through money_post like every other transfer; the amount was
 *      counted toward the daily limit when held, so posting does not count it again, and a hold
 *      that does not post gives it back (on the day it was counted).
 */
export class Migration20261130000000Holds extends Migration {
  override async up(): Promise<void> {
    // H1
    this.addSql(`
      alter table accounts
        add column held bigint not null default 0 check (held >= 0),
        add constraint accounts_available_not_negative check (kind = 'system' or balance - held >= 0);`);

    this.addSql(`alter table service_requests drop constraint service_requests_type_check;`);
    this.addSql(`
      alter table service_requests add constraint service_requests_type_check check (type in (
        'card_pin_reset', 'name_change', 'kyc_update', 'limit_increase', 'account_freeze', 'account_unfreeze', 'account_closure',
        'transfer_review'));`);

    this.addSql(`
      create table holds (
        id uuid primary key,
        seq bigint generated always as identity,
        account_id uuid not null references accounts (id),
        target_account_id uuid not null references accounts (id),
        owner_id uuid not null references users (id),
        amount bigint not null check (amount > 0),
        currency char(3) not null,
        description text,
        reason text not null check (reason in ('amount', 'new_payee', 'velocity')),
        status text not null default 'pending' check (status in ('pending', 'posted', 'voided', 'cancelled', 'expired')),
        request_id uuid references service_requests (id),
        transaction_id uuid references ledger_transactions (id),
        expires_at timestamptz not null,
        created_at timestamptz not null default now(),
        decided_at timestamptz,
        constraint holds_seq_unique unique (seq),
        constraint holds_request_unique unique (request_id),
        constraint holds_transaction_unique unique (transaction_id),
        constraint holds_decided_has_time check ((status = 'pending') = (decided_at is null)),
        constraint holds_posted_has_transaction check ((status = 'posted') = (transaction_id is not null))
      );`);
    this.addSql('create index holds_owner_idx on holds (owner_id, seq);');
    this.addSql(`create index holds_account_recent_idx on holds (account_id, created_at);`);
    // The new_payee rule: has this account ever sent to that one? (debit entries of transfers carry the counterparty.)
    this.addSql('create index ledger_entries_payee_idx on ledger_entries (account_id, counterparty_account_id) where amount < 0;');
    // The velocity rule: an account's recent debits.
    this.addSql('create index ledger_entries_account_recent_idx on ledger_entries (account_id, created_at) where amount < 0 and counterparty_account_id is not null;');

    // H2
    this.addSql(`
      create function holds_refuse_redecide() returns trigger language plpgsql as $$
      begin
        raise exception 'hold % is already %: a hold is decided once', old.id, old.status using errcode = 'integrity_constraint_violation';
      end $$;`);
    this.addSql(`create trigger holds_decided_once before update on holds for each row when (old.status <> 'pending') execute function holds_refuse_redecide();`);
    this.addSql(`create trigger holds_no_delete before delete on holds for each row execute function holds_refuse_redecide();`);

    this.addSql(`
      alter type money_command
        add attribute review_amount bigint,
        add attribute review_new_payee_amount bigint,
        add attribute review_velocity_count integer,
        add attribute review_velocity_window_s integer,
        add attribute hold_ttl_s integer;`);

    // API.md's \`account\`, gaining availableBalance.
    this.addSql(`
      create or replace function money_account_view(a accounts) returns json language sql stable as $$
        select json_build_object(
          'id', a.id, 'number', a.number::text, 'type', case when a.type = 'savings' then 'savings' else 'checking' end,
          'currency', a.currency::text, 'balance', a.balance, 'availableBalance', a.balance - a.held, 'status', a.status,
          'dailyLimit', a.daily_limit, 'createdAt', iso_utc(a.created_at))
      $$;`);

    // API.md's \`hold\`.
    this.addSql(`
      create function hold_view(h holds) returns jsonb language sql stable as $$
        select jsonb_build_object(
          'id', h.id, 'status', h.status, 'reason', h.reason, 'amount', h.amount, 'currency', h.currency::text,
          'fromAccountId', h.account_id,
          'counterparty', (select jsonb_build_object('accountNumber', t.number::text, 'name', u.full_name)
                             from accounts t join users u on u.id = t.owner_id where t.id = h.target_account_id),
          'description', h.description, 'requestId', h.request_id, 'transactionId', h.transaction_id,
          'expiresAt', iso_utc(h.expires_at), 'createdAt', iso_utc(h.created_at), 'decidedAt', iso_utc(h.decided_at))
      $$;`);

    // L3 + L4 as before; now balance.updated carries availableBalance, and a hold's posting
    // (p_counts_toward_limit false) leaves spent_today alone: the amount was counted when held (H4).
    this.addSql('drop function money_post(text, money_command, uuid, uuid);');
    this.addSql(`
      create function money_post(p_kind text, c money_command, p_debit uuid, p_credit uuid, p_counts_toward_limit boolean default true) returns json language plpgsql as $$
      declare
        cash_account_id constant uuid := '00000000-0000-4000-8000-000000000001';
        today constant date := (now() at time zone 'UTC')::date;
        occurred_at constant text := iso_utc(now());
        transaction_id constant uuid := gen_random_uuid();
        debit_entry_id constant uuid := gen_random_uuid();
        credit_entry_id constant uuid := gen_random_uuid();
        both_customers constant boolean := p_debit is not null and p_credit is not null;
        counts constant boolean := p_kind = 'transfer' and p_counts_toward_limit;
        debit accounts;
        credit accounts;
        debit_name text;
        credit_name text;
        currency text;
        transaction_view json;
      begin
        if p_debit is not null then
          update accounts set
            balance = balance - c.amount,
            entry_count = entry_count + 1,
            spent_today = case when not counts then spent_today when spent_on = today then spent_today + c.amount else c.amount end,
            spent_on = case when not counts then spent_on else today end,
            updated_at = now()
          where id = p_debit and kind = 'customer'
          returning * into strict debit;
        end if;
        if p_credit is not null then
          update accounts set balance = balance + c.amount, entry_count = entry_count + 1, updated_at = now()
          where id = p_credit and kind = 'customer'
          returning * into strict credit;
        end if;
        currency := coalesce(debit.currency, credit.currency)::text;
        if not both_customers and currency <> 'USD' then
          raise exception 'no cash account for %', currency;
        end if;

        insert into ledger_transactions (id, kind, amount, currency, description, initiated_by)
        values (transaction_id, p_kind, c.amount, currency, c.description, c.user_id);
        insert into ledger_entries (id, transaction_id, account_id, counterparty_account_id, amount, balance_after, account_seq) values
          (debit_entry_id, transaction_id, coalesce(p_debit, cash_account_id), case when both_customers then p_credit end, -c.amount, debit.balance, debit.entry_count),
          (credit_entry_id, transaction_id, coalesce(p_credit, cash_account_id), case when both_customers then p_debit end, c.amount, credit.balance, credit.entry_count);

        if both_customers then
          select full_name into debit_name from users where id = debit.owner_id;
          select full_name into credit_name from users where id = credit.owner_id;
        end if;
        insert into outbox_events (recipient, type, payload)
        select 'user:' || side.owner_id, event.type, event.payload
        from (values
          (1, debit.owner_id, debit.id, debit_entry_id, -c.amount, debit.balance, debit.balance - debit.held, credit.number::text, credit_name),
          (2, credit.owner_id, credit.id, credit_entry_id, c.amount, credit.balance, credit.balance - credit.held, debit.number::text, debit_name)
        ) as side (position, owner_id, account_id, entry_id, amount, balance_after, available_after, counterparty_number, counterparty_name)
        cross join lateral (values
          (1, 'balance.updated', jsonb_build_object('accountId', side.account_id, 'balance', side.balance_after, 'availableBalance', side.available_after,
            'currency', currency, 'transactionId', transaction_id)),
          (2, 'transaction.posted', jsonb_build_object(
            'id', side.entry_id, 'transactionId', transaction_id, 'kind', p_kind, 'amount', side.amount, 'balanceAfter', side.balance_after,
            'counterparty', case when both_customers then jsonb_build_object('accountNumber', side.counterparty_number, 'name', side.counterparty_name) end,
            'description', c.description, 'createdAt', occurred_at, 'accountId', side.account_id))
        ) as event (position, type, payload)
        where side.owner_id is not null
        order by side.position, event.position;

        transaction_view := json_build_object('id', transaction_id, 'kind', p_kind, 'amount', c.amount, 'currency', currency,
          'description', c.description, 'createdAt', occurred_at);
        return json_build_object('status', 201, 'body', json_build_object(
          'transaction', transaction_view,
          'account', money_account_view(case when p_kind = 'deposit' then credit else debit end)));
      end $$;`);

    // The review rule a transfer matches, in API.md's order, or null. Rules with 0/null thresholds are off.
    this.addSql(`
      create function money_review_rule(c money_command, account accounts, target accounts) returns text language plpgsql stable as $$
      declare
        recent integer;
      begin
        if coalesce(c.review_amount, 0) > 0 and c.amount >= c.review_amount then
          return 'amount';
        end if;
        if coalesce(c.review_new_payee_amount, 0) > 0 and c.amount >= c.review_new_payee_amount
           and not exists (select 1 from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
                            where e.account_id = account.id and e.counterparty_account_id = target.id and e.amount < 0 and t.kind = 'transfer') then
          return 'new_payee';
        end if;
        if coalesce(c.review_velocity_count, 0) > 0 then
          -- Transfers in the window, held ones included (a posted hold counts once: as its entry).
          select (select count(*) from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
                   where e.account_id = account.id and e.amount < 0 and e.counterparty_account_id is not null and t.kind = 'transfer'
                     and e.created_at > now() - make_interval(secs => c.review_velocity_window_s))
               + (select count(*) from holds h
                   where h.account_id = account.id and h.status <> 'posted' and h.created_at > now() - make_interval(secs => c.review_velocity_window_s))
          into recent;
          if recent >= c.review_velocity_count then
            return 'velocity';
          end if;
        end if;
        return null;
      end $$;`);

    // A held transfer: the reservation (H1, H4), the hold, its transfer_review request and the owner's event.
    this.addSql(`
      create function money_hold(c money_command, account accounts, target accounts, p_reason text) returns json language plpgsql as $$
      declare
        today constant date := (now() at time zone 'UTC')::date;
        hold holds;
        reserved accounts;
        request jsonb;
      begin
        update accounts set
          held = held + c.amount,
          spent_today = case when spent_on = today then spent_today + c.amount else c.amount end,
          spent_on = today,
          updated_at = now()
        where id = account.id
        returning * into strict reserved;
        insert into holds (id, account_id, target_account_id, owner_id, amount, currency, description, reason, expires_at)
        values (gen_random_uuid(), account.id, target.id, c.user_id, c.amount, account.currency, c.description, p_reason,
                now() + make_interval(secs => coalesce(c.hold_ttl_s, 86400)))
        returning * into hold;
        -- Straight into the employees' queue: a review needs no triage.
        request := request_create('transfer_review', c.user_id, account.id, jsonb_build_object('holdId', hold.id));
        update service_requests set expires_at = hold.expires_at where id = (request->>'id')::uuid;
        perform request_transition((request->>'id')::uuid, jsonb_build_object(
          'from', jsonb_build_array('submitted'), 'to', 'pending_review', 'note', 'held for review: ' || p_reason));
        update holds set request_id = (request->>'id')::uuid where id = hold.id returning * into hold;
        insert into outbox_events (recipient, type, payload) values ('user:' || c.user_id, 'hold.updated', hold_view(hold));
        return json_build_object('status', 202, 'body', json_build_object('hold', hold_view(hold), 'account', money_account_view(reserved)));
      end $$;`);

    // L2 as before, with the funds checked against the available balance (H1) and the review rules
    // checked last: a transfer that would be refused is refused, never held.
    this.addSql(`
      create or replace function money_run(c money_command) returns json language plpgsql as $$
      declare
        pin_attempts_max constant integer := 3;
        today constant date := (now() at time zone 'UTC')::date;
        account accounts;
        target accounts;
        card cards;
        attempts integer;
        spent bigint;
        rule text;
      begin
        select * into account from accounts where id = c.account_id and kind = 'customer' for update;
        if not found or account.owner_id <> c.user_id then
          return money_refusal('NOT_FOUND', json_build_object('subject', case when c.op = 'transfer' then 'source' else 'account' end));
        end if;

        if c.op = 'deposit' then
          if account.status = 'closed' then
            return money_refusal('ACCOUNT_FROZEN', json_build_object('accountStatus', 'closed', 'role', 'target'));
          end if;
          return money_post('deposit', c, null, account.id);
        end if;

        if c.op = 'withdrawal' then
          select * into card from cards where owner_id = c.user_id for update;
          if not found then
            return money_refusal('NOT_FOUND', json_build_object('subject', 'card'));
          end if;
          if card.blocked_at is not null then
            return money_refusal('CARD_BLOCKED');
          end if;
          if c.card_id is distinct from card.id or c.pin_hash is distinct from card.pin_hash then
            -- The PIN was checked (in Node, before any lock) against a hash that has changed since.
            raise exception 'the card PIN changed since it was checked' using errcode = 'BC001';
          end if;
          if not c.pin_ok then
            attempts := card.failed_pin_attempts + 1;
            update cards set failed_pin_attempts = attempts, blocked_at = case when attempts >= pin_attempts_max then now() end, updated_at = now()
            where id = card.id;
            perform money_security_event('pin.failed', c.user_id, json_build_object('cardId', card.id, 'attemptsLeft', greatest(0, pin_attempts_max - attempts)));
            if attempts >= pin_attempts_max then
              perform money_security_event('card.blocked', c.user_id, json_build_object('cardId', card.id, 'reason', pin_attempts_max || ' wrong PINs in a row'));
            end if;
            return money_refusal('PIN_INVALID', json_build_object('attemptsLeft', greatest(0, pin_attempts_max - attempts)));
          end if;
          if card.failed_pin_attempts > 0 then
            update cards set failed_pin_attempts = 0, updated_at = now() where id = card.id;
          end if;
          if account.status <> 'active' then
            return money_refusal('ACCOUNT_FROZEN', json_build_object('accountStatus', account.status, 'role', 'source'));
          end if;
          if account.balance - account.held < c.amount then
            return money_refusal('INSUFFICIENT_FUNDS', json_build_object('balance', account.balance - account.held, 'amount', c.amount));
          end if;
          return money_post('withdrawal', c, account.id, null);
        end if;

        if c.op = 'transfer' then
          select * into target from accounts where number = c.to_number and kind = 'customer' for update;
          if not found then
            return money_refusal('NOT_FOUND', json_build_object('subject', 'target'));
          end if;
          if target.id = account.id then
            return money_refusal('SELF_TRANSFER');
          end if;
          if account.currency <> target.currency then
            return money_refusal('CURRENCY_MISMATCH', json_build_object('from', account.currency::text, 'to', target.currency::text));
          end if;
          if account.status <> 'active' then
            return money_refusal('ACCOUNT_FROZEN', json_build_object('accountStatus', account.status, 'role', 'source'));
          end if;
          if target.status = 'closed' then
            return money_refusal('ACCOUNT_FROZEN', json_build_object('accountStatus', 'closed', 'role', 'target'));
          end if;
          if account.balance - account.held < c.amount then
            return money_refusal('INSUFFICIENT_FUNDS', json_build_object('balance', account.balance - account.held, 'amount', c.amount));
          end if;
          spent := case when account.spent_on = today then account.spent_today else 0 end;
          if c.amount > account.daily_limit - spent then
            return money_refusal('DAILY_LIMIT_EXCEEDED', json_build_object('dailyLimit', account.daily_limit, 'remaining', greatest(0, account.daily_limit - spent)));
          end if;
          rule := money_review_rule(c, account, target);
          if rule is not null then
            return money_hold(c, account, target, rule);
          end if;
          return money_post('transfer', c, account.id, target.id);
        end if;

        raise exception 'unknown money command %', c.op;
      end $$;`);

    // A pending hold ends without posting (H1, H4): the reservation and the day's count given back.
    this.addSql(`
      create function hold_release(p_hold uuid, p_status text) returns jsonb language plpgsql as $$
      declare
        hold holds;
      begin
        select * into hold from holds where id = p_hold;
        perform 1 from accounts where id = hold.account_id for update;
        select * into hold from holds where id = p_hold for update;
        if hold.status <> 'pending' then
          return null;
        end if;
        update accounts set
          held = held - hold.amount,
          spent_today = case when spent_on = (hold.created_at at time zone 'UTC')::date then greatest(0, spent_today - hold.amount) else spent_today end,
          updated_at = now()
        where id = hold.account_id;
        update holds set status = p_status, decided_at = now() where id = p_hold returning * into hold;
        insert into outbox_events (recipient, type, payload) values ('user:' || hold.owner_id, 'hold.updated', hold_view(hold));
        return hold_view(hold);
      end $$;`);

    // An approved hold posts (H3, H4), once: {posted: hold} | {refused: code} (the hold then voided) | {decided: status}.
    // Locks in the money path's order: both accounts in id order, then the hold.
    this.addSql(`
      create function hold_post(p_hold uuid) returns jsonb language plpgsql as $$
      declare
        hold holds;
        source accounts;
        target accounts;
        posted json;
        command money_command;
      begin
        select * into hold from holds where id = p_hold;
        if not found then
          return jsonb_build_object('decided', null);
        end if;
        perform 1 from accounts where id in (hold.account_id, hold.target_account_id) order by id for update;
        select * into hold from holds where id = p_hold for update;
        if hold.status <> 'pending' then
          return jsonb_build_object('decided', hold.status);
        end if;
        select * into source from accounts where id = hold.account_id;
        select * into target from accounts where id = hold.target_account_id;
        if source.status <> 'active' or target.status = 'closed' then
          perform hold_release(p_hold, 'voided');
          return jsonb_build_object('refused', 'ACCOUNT_FROZEN');
        end if;
        update accounts set held = held - hold.amount, updated_at = now() where id = hold.account_id;
        command.op := 'transfer';
        command.user_id := hold.owner_id;
        command.account_id := hold.account_id;
        command.amount := hold.amount;
        command.description := hold.description;
        posted := money_post('transfer', command, hold.account_id, hold.target_account_id, false);
        update holds set status = 'posted', decided_at = now(), transaction_id = (posted->'body'->'transaction'->>'id')::uuid
        where id = p_hold returning * into hold;
        insert into outbox_events (recipient, type, payload) values ('user:' || hold.owner_id, 'hold.updated', hold_view(hold));
        return jsonb_build_object('posted', hold_view(hold));
      end $$;`);

    // H3: the request's end decides a hold that has not posted.
    this.addSql(`
      create function service_requests_decide_hold() returns trigger language plpgsql as $$
      begin
        perform hold_release((new.details->>'holdId')::uuid, case new.status
          when 'rejected' then 'voided' when 'failed' then 'voided' when 'cancelled' then 'cancelled' else 'expired' end);
        return null;
      end $$;`);
    this.addSql(`
      create trigger service_requests_decide_hold after update of status on service_requests for each row
      when (new.type = 'transfer_review' and new.status in ('rejected', 'failed', 'cancelled', 'expired') and old.status <> new.status)
      execute function service_requests_decide_hold();`);
  }

  override async down(): Promise<void> {
    // money_post and money_run were replaced, and holds may have posted: there is no faithful way back.
    throw new Error('Migration20261130000000Holds cannot be reverted; restore a backup taken before it instead.');
  }
}
