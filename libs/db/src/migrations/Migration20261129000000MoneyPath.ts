import { Migration } from '@mikro-orm/migrations';

/**
 * The money path in one round trip (DESIGN.md "The money path"): `money_execute(commands json)`
 * runs a batch of deposits, withdrawals and transfers in the caller's single statement — one
 * transaction — and answers one outcome per command, in arrival order. Everything a command does
 * happens here: the Idempotency-Key claim, the row locks, every rule, the postings, the outbox rows
 * and the stored answer, so no row lock is ever held across a Node event-loop turn.
 *
 * Invariants kept here (the money rules of DESIGN.md), each next to the code that keeps it:
 *   L1 locks are taken in one global order — idempotency keys (user, key), then cards (id), then
 *      customer accounts (id) — for the whole batch before any command runs, so two batches
 *      cannot deadlock however their commands overlap;
 *   L2 every rule is checked on the locked rows, in the order the api has always checked them,
 *      before anything is written: a refused command writes nothing but its stored refusal (and,
 *      for a wrong PIN, the count and its security events);
 *   L3 a posting writes one transaction with two entries summing to zero, moves each customer
 *      balance by exactly its entry (balance_after and account_seq come from the UPDATE itself),
 *      and never touches the cash account's row (its balance is derived from its entries);
 *   L4 the events of a posting are outbox rows of the same transaction, per customer side in leg
 *      order: balance.updated, then transaction.posted;
 *   L5 an Idempotency-Key answers once: the first command that claims it runs and stores its
 *      answer (json, so a replay is the same text); every later command with it — in this batch
 *      or any other — replays that answer, or is refused as reused when its body differs.
 * PostgreSQL itself still refuses an unbalanced transaction (deferred trigger), a negative
 * customer balance (CHECK) and any change to an entry (triggers): a bug here fails loudly.
 */
export class Migration20261129000000MoneyPath extends Migration {
  override async up(): Promise<void> {
    // Stored answers are replayed byte for byte: json keeps the text, jsonb would reorder keys.
    this.addSql('alter table idempotency_keys alter column response_body type json using response_body::json;');

    this.addSql(`
      create type money_command as (
        n integer,
        op text,
        user_id uuid,
        key text,
        fingerprint text,
        account_id uuid,
        to_number text,
        amount bigint,
        description text,
        card_id uuid,
        pin_hash text,
        pin_ok boolean
      );`);

    // A time as the api writes it (JavaScript's toISOString: UTC, milliseconds, truncated).
    this.addSql(`
      create function iso_utc(ts timestamptz) returns text language sql stable as $$
        select to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      $$;`);

    // API.md's \`account\`, as the api has always answered it.
    this.addSql(`
      create function money_account_view(a accounts) returns json language sql stable as $$
        select json_build_object(
          'id', a.id, 'number', a.number::text, 'type', case when a.type = 'savings' then 'savings' else 'checking' end,
          'currency', a.currency::text, 'balance', a.balance, 'status', a.status, 'dailyLimit', a.daily_limit,
          'createdAt', iso_utc(a.created_at))
      $$;`);

    // A refusal as it is answered and stored: the code and what its problem document needs.
    // The HTTP status is the one the api's DomainError for that code carries (a test holds them equal).
    this.addSql(`
      create function money_refusal(code text, params json default '{}') returns json language sql immutable as $$
        select json_build_object(
          'status', case code when 'NOT_FOUND' then 404 when 'CARD_BLOCKED' then 423 else 422 end,
          'body', json_build_object('refusal', json_build_object('code', code, 'params', params)))
      $$;`);

    // A security event, stored and pushed to admins in the caller's transaction (the same view
    // SecurityEventsService writes).
    this.addSql(`
      create function money_security_event(p_type text, p_user uuid, p_detail json) returns void language plpgsql as $$
      declare
        event security_events;
      begin
        insert into security_events (type, user_id, ip, detail) values (p_type, p_user, null, p_detail::jsonb) returning * into event;
        insert into outbox_events (recipient, type, payload) values ('role:admin', 'security.event', jsonb_build_object(
          'id', event.id::text, 'type', event.type, 'userId', event.user_id, 'ip', event.ip, 'detail', event.detail,
          'createdAt', iso_utc(event.created_at)));
      end $$;`);

    // L3 + L4: the only code that writes entries and balances. p_debit / p_credit are customer
    // accounts locked by the caller, or null for the cash account.
    this.addSql(`
      create function money_post(p_kind text, c money_command, p_debit uuid, p_credit uuid) returns json language plpgsql as $$
      declare
        cash_account_id constant uuid := '00000000-0000-4000-8000-000000000001';
        today constant date := (now() at time zone 'UTC')::date;
        occurred_at constant text := iso_utc(now());
        transaction_id constant uuid := gen_random_uuid();
        debit_entry_id constant uuid := gen_random_uuid();
        credit_entry_id constant uuid := gen_random_uuid();
        both_customers constant boolean := p_debit is not null and p_credit is not null;
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
            spent_today = case when p_kind <> 'transfer' then spent_today when spent_on = today then spent_today + c.amount else c.amount end,
            spent_on = case when p_kind <> 'transfer' then spent_on else today end,
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
          (1, debit.owner_id, debit.id, debit_entry_id, -c.amount, debit.balance, credit.number::text, credit_name),
          (2, credit.owner_id, credit.id, credit_entry_id, c.amount, credit.balance, debit.number::text, debit_name)
        ) as side (position, owner_id, account_id, entry_id, amount, balance_after, counterparty_number, counterparty_name)
        cross join lateral (values
          (1, 'balance.updated', jsonb_build_object('accountId', side.account_id, 'balance', side.balance_after, 'currency', currency, 'transactionId', transaction_id)),
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

    // L2: one command's rules, on rows the batch has already locked (FOR UPDATE again is free then).
    this.addSql(`
      create function money_run(c money_command) returns json language plpgsql as $$
      declare
        pin_attempts_max constant integer := 3;
        today constant date := (now() at time zone 'UTC')::date;
        account accounts;
        target accounts;
        card cards;
        attempts integer;
        spent bigint;
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
          if account.balance < c.amount then
            return money_refusal('INSUFFICIENT_FUNDS', json_build_object('balance', account.balance, 'amount', c.amount));
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
          if account.balance < c.amount then
            return money_refusal('INSUFFICIENT_FUNDS', json_build_object('balance', account.balance, 'amount', c.amount));
          end if;
          spent := case when account.spent_on = today then account.spent_today else 0 end;
          if c.amount > account.daily_limit - spent then
            return money_refusal('DAILY_LIMIT_EXCEEDED', json_build_object('dailyLimit', account.daily_limit, 'remaining', greatest(0, account.daily_limit - spent)));
          end if;
          return money_post('transfer', c, account.id, target.id);
        end if;

        raise exception 'unknown money command %', c.op;
      end $$;`);

    this.addSql(`
      create function money_execute(commands json) returns json language plpgsql as $$
      declare
        batch money_command[];
        c money_command;
        claimed integer[];
        account_ids uuid[];
        target_numbers bpchar[];
        card_owners uuid[];
        stored record;
        outcome json;
        outcomes json[] := '{}';
      begin
        batch := array(select r from json_populate_recordset(null::money_command, commands) r order by r.n);

        -- L1, L5: claim each new key once (for its first command in arrival order), in (user, key) order.
        with keyed as (select * from unnest(batch) where key is not null),
             first_uses as (select distinct on (user_id, key) n, user_id, key, fingerprint from keyed order by user_id, key, n),
             inserted as (
               insert into idempotency_keys (user_id, key, request_hash)
               select user_id, key, fingerprint from first_uses order by user_id, key collate "C"
               on conflict do nothing
               returning user_id, key)
        select coalesce(array_agg(first_uses.n), '{}') into claimed from first_uses join inserted using (user_id, key);

        -- L1: lock what the commands that will run touch: cards, then customer accounts, each in id order.
        select array_agg(account_id), array_agg(to_number::bpchar) filter (where op = 'transfer'), array_agg(user_id) filter (where op = 'withdrawal')
        into account_ids, target_numbers, card_owners
        from unnest(batch) where key is null or n = any(claimed);
        perform 1 from cards where owner_id = any(card_owners) order by id for update;
        perform 1 from accounts where kind = 'customer' and (id = any(account_ids) or number = any(target_numbers)) order by id for update;

        foreach c in array batch loop
          if c.key is null then
            outcome := money_run(c);
          elsif c.n = any(claimed) then
            outcome := money_run(c);
            update idempotency_keys set response_status = (outcome->>'status')::integer, response_body = outcome->'body'
            where user_id = c.user_id and key = c.key;
          else
            select request_hash, response_status, response_body into strict stored from idempotency_keys where user_id = c.user_id and key = c.key;
            if stored.response_status is null then
              raise exception 'idempotency key of user % has no stored answer', c.user_id;
            end if;
            outcome := case when stored.request_hash = c.fingerprint
              then json_build_object('status', stored.response_status, 'body', stored.response_body, 'replayed', true)
              else json_build_object('status', 422, 'reused', true) end;
          end if;
          outcomes := outcomes || outcome;
        end loop;
        return array_to_json(outcomes);
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop function if exists money_execute(json);');
    this.addSql('drop function if exists money_run(money_command);');
    this.addSql('drop function if exists money_post(text, money_command, uuid, uuid);');
    this.addSql('drop function if exists money_security_event(text, uuid, json);');
    this.addSql('drop function if exists money_refusal(text, json);');
    this.addSql('drop function if exists money_account_view(accounts);');
    this.addSql('drop function if exists iso_utc(timestamptz);');
    this.addSql('drop type if exists money_command;');
    this.addSql('alter table idempotency_keys alter column response_body type jsonb using response_body::jsonb;');
  }
}
