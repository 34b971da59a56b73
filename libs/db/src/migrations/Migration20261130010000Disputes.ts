import { Migration } from '@mikro-orm/migrations';

/**
 * Disputes and reversals (API.md "Disputes and reversals", DESIGN.md money rules 3 and 8): the
 * sender of a posted transfer disputes it within 60 days, a `transaction_dispute` request carries
 * it to an employee, and approval posts a `reversal` transaction — recipient → sender, through
 * money_post like every other posting — linked to the transfer it reverses.
 *
 * Invariants kept here, each next to the code that keeps it:
 *   R1 a transaction is reversed at most once: `reverses_transaction_id` is UNIQUE, and it is set
 *      when the reversal row is inserted (ledger rows are never updated), so not even a second
 *      INSERT by hand gets past the database; a reversal always names what it reverses, and
 *      nothing else does (CHECK);
 *   R2 a reversal never takes money the recipient does not have: the recipient's available balance
 *      (balance − held, so funds reserved by the recipient's own pending holds stay theirs) is
 *      checked under both accounts' row locks, taken in id order like every money command (L1);
 *      without it nothing is written and the caller gets the refusal;
 *   R3 at most one open dispute per transaction: a partial UNIQUE index over the open statuses,
 *      and dispute_file takes the transaction's row lock first, so two concurrent filings
 *      serialize and the second sees the first (409, not a unique violation);
 *   R4 a dispute is filed only by the owner of the debited account of a posted transfer, within
 *      the window, for a transfer not reversed yet — checked in dispute_file, after R3's lock.
 */
export class Migration20261130010000Disputes extends Migration {
  override async up(): Promise<void> {
    // R1. Adding a column without a default rewrites no row, so the immutability trigger is not involved.
    this.addSql(`
      alter table ledger_transactions
        add column reverses_transaction_id uuid references ledger_transactions (id),
        add constraint ledger_transactions_reversed_once unique (reverses_transaction_id),
        add constraint ledger_transactions_reversal_linked check ((kind = 'reversal') = (reverses_transaction_id is not null));`);

    this.addSql(`alter table service_requests drop constraint service_requests_type_check;`);
    this.addSql(`
      alter table service_requests add constraint service_requests_type_check check (type in (
        'card_pin_reset', 'name_change', 'kyc_update', 'limit_increase', 'account_freeze', 'account_unfreeze', 'account_closure',
        'transfer_review', 'transaction_dispute'));`);
    // R3: the statuses from which a request can still move (OPEN_REQUEST_STATUSES of the contracts).
    this.addSql(`
      create unique index service_requests_open_dispute_unique on service_requests ((details->>'transactionId'))
      where type = 'transaction_dispute' and status in ('submitted', 'pending_review', 'in_review', 'awaiting_customer', 'approved');`);

    // L3 + L4 as in migration Holds; now the posting of a reversal names the transaction it reverses
    // (p_reverses, written at insert: R1), and the transaction view and the entries' events carry
    // both links (a new posting is reversed by nothing yet).
    this.addSql('drop function money_post(text, money_command, uuid, uuid, boolean);');
    this.addSql(`
      create function money_post(p_kind text, c money_command, p_debit uuid, p_credit uuid, p_counts_toward_limit boolean default true, p_reverses uuid default null)
      returns json language plpgsql as $$
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

        insert into ledger_transactions (id, kind, amount, currency, description, initiated_by, reverses_transaction_id)
        values (transaction_id, p_kind, c.amount, currency, c.description, c.user_id, p_reverses);
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
            'description', c.description, 'createdAt', occurred_at, 'accountId', side.account_id,
            'reversesTransactionId', p_reverses, 'reversedByTransactionId', null))
        ) as event (position, type, payload)
        where side.owner_id is not null
        order by side.position, event.position;

        transaction_view := json_build_object('id', transaction_id, 'kind', p_kind, 'amount', c.amount, 'currency', currency,
          'description', c.description, 'createdAt', occurred_at, 'reversesTransactionId', p_reverses, 'reversedByTransactionId', null);
        return json_build_object('status', 201, 'body', json_build_object(
          'transaction', transaction_view,
          'account', money_account_view(case when p_kind = 'deposit' then credit else debit end)));
      end $$;`);

    // A disputed transfer reversed, once (R1, R2): {reversed: {transactionId}} | {refused: code} (nothing
    // written) | {decided: {transactionId}} (reversed already: a retried job finds its own work done).
    // p_actor: who decided it (the reversal's initiated_by).
    this.addSql(`
      create function money_reverse(p_transaction uuid, p_actor uuid) returns jsonb language plpgsql as $$
      declare
        original ledger_transactions;
        sender_id uuid;
        recipient_id uuid;
        sender accounts;
        recipient accounts;
        reversal_id uuid;
        command money_command;
        posted json;
      begin
        select * into original from ledger_transactions where id = p_transaction;
        if not found or original.kind <> 'transfer' then
          raise exception 'transaction % is not a transfer: only transfers are reversed', p_transaction using errcode = 'integrity_constraint_violation';
        end if;
        select account_id into strict sender_id from ledger_entries where transaction_id = p_transaction and amount < 0;
        select account_id into strict recipient_id from ledger_entries where transaction_id = p_transaction and amount > 0;
        -- L1 (R2): both customer accounts, in id order, before anything is read for a decision.
        perform 1 from accounts where id in (sender_id, recipient_id) order by id for update;

        select id into reversal_id from ledger_transactions where reverses_transaction_id = p_transaction;
        if found then
          return jsonb_build_object('decided', jsonb_build_object('transactionId', reversal_id));
        end if;
        select * into sender from accounts where id = sender_id;
        select * into recipient from accounts where id = recipient_id;
        -- Money is never credited to a closed account (as a deposit or a transfer to it is refused).
        if sender.status = 'closed' then
          return jsonb_build_object('refused', 'ACCOUNT_FROZEN');
        end if;
        -- R2. A freeze stops its owner's own debits, not the bank's reversal: the funds are the only condition.
        if recipient.balance - recipient.held < original.amount then
          return jsonb_build_object('refused', 'INSUFFICIENT_FUNDS');
        end if;

        command.op := 'reversal';
        command.user_id := p_actor;
        command.account_id := recipient_id;
        command.amount := original.amount;
        command.description := coalesce('Reversal: ' || original.description, 'Reversal of a disputed transfer');
        posted := money_post('reversal', command, recipient_id, sender_id, false, p_transaction);
        return jsonb_build_object('reversed', jsonb_build_object('transactionId', posted->'body'->'transaction'->>'id'));
      end $$;`);

    // A customer's dispute of a transaction (R3, R4): {filed: request} straight into the employees'
    // queue (pending_review, like a transfer review: everything triage would check is checked here),
    // or {refused: 'NOT_FOUND'} (no such transaction, or none of the caller's accounts is in it),
    // {refused: 'DISPUTE_NOT_ALLOWED', reason}, {refused: 'CONFLICT', requestId} (a dispute of it is open).
    this.addSql(`
      create function dispute_file(p_transaction uuid, p_owner uuid, p_reason text, p_window_days integer) returns jsonb language plpgsql as $$
      declare
        original ledger_transactions;
        sender accounts;
        open_request uuid;
        request jsonb;
      begin
        if not exists (select 1 from ledger_entries e join accounts a on a.id = e.account_id
                        where e.transaction_id = p_transaction and a.owner_id = p_owner) then
          return jsonb_build_object('refused', 'NOT_FOUND');
        end if;
        -- R3: filings for one transaction serialize here. NO KEY UPDATE does not block the
        -- reversal's foreign key to this row (FOR KEY SHARE), and a ledger row is locked, never updated.
        select * into strict original from ledger_transactions where id = p_transaction for no key update;
        select a.* into sender from ledger_entries e join accounts a on a.id = e.account_id where e.transaction_id = p_transaction and e.amount < 0;
        if original.kind <> 'transfer' or sender.owner_id is distinct from p_owner then
          return jsonb_build_object('refused', 'DISPUTE_NOT_ALLOWED', 'reason', 'not_sent_transfer');
        end if;
        if original.created_at <= now() - make_interval(days => p_window_days) then
          return jsonb_build_object('refused', 'DISPUTE_NOT_ALLOWED', 'reason', 'too_old');
        end if;
        -- Open disputes before reversals: a reversal is posted only by an open dispute, in the
        -- transaction that closes it, so one of the two statements sees it whichever way it races.
        select id into open_request from service_requests
        where type = 'transaction_dispute' and details->>'transactionId' = p_transaction::text
          and status in ('submitted', 'pending_review', 'in_review', 'awaiting_customer', 'approved');
        if found then
          return jsonb_build_object('refused', 'CONFLICT', 'requestId', open_request);
        end if;
        if exists (select 1 from ledger_transactions where reverses_transaction_id = p_transaction) then
          return jsonb_build_object('refused', 'DISPUTE_NOT_ALLOWED', 'reason', 'already_reversed');
        end if;
        -- The facts the reviewer decides on travel with the request: what was sent, when, to whom.
        request := request_create('transaction_dispute', p_owner, sender.id, jsonb_build_object(
          'transactionId', p_transaction, 'reason', p_reason,
          'amount', original.amount, 'currency', original.currency::text, 'transferredAt', iso_utc(original.created_at),
          'recipient', (select jsonb_build_object('accountNumber', a.number::text, 'name', u.full_name)
                          from ledger_entries e join accounts a on a.id = e.account_id join users u on u.id = a.owner_id
                         where e.transaction_id = p_transaction and e.amount > 0)));
        return jsonb_build_object('filed', request_transition((request->>'id')::uuid, jsonb_build_object(
          'from', jsonb_build_array('submitted'), 'to', 'pending_review', 'note', 'disputed by the sender'))->'request');
      end $$;`);
  }

  override async down(): Promise<void> {
    // money_post was replaced, and reversals may have posted: there is no faithful way back.
    throw new Error('Migration20261130010000Disputes cannot be reverted; restore a backup taken before it instead.');
  }
}
