import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** The system USD cash account (migration Ledger): the other side of every deposit and withdrawal. */
const CASH_ACCOUNT_ID = '00000000-0000-4000-8000-000000000001';

export interface BackdatedPostingRow {
  kind: 'deposit' | 'withdrawal' | 'transfer';
  /** The customer account debited; null for a deposit (the cash account pays it). */
  debitAccountId: string | null;
  /** The customer account credited; null for a withdrawal (the cash account receives it). */
  creditAccountId: string | null;
  amount: number;
  description: string;
  initiatedBy: string;
  at: Date;
}

/**
 * Postings with a past date: the demo's weeks of history (money_post stamps `now()`, and ledger
 * rows are never updated, so a date cannot be set afterwards). One statement per posting keeps
 * money_post's L3 — one transaction, two entries summing to zero, each customer balance moved by
 * exactly its entry, `balance_after` and `account_seq` taken from that UPDATE — and PostgreSQL
 * still refuses a negative balance (CHECK) and an unbalanced transaction at commit (trigger).
 * Unlike money_post it writes no events (nobody waits for news weeks old) and leaves the daily
 * limit alone (past days do not count toward today's).
 */
@Injectable()
export class BackdatedPostingsRepository {
  constructor(private readonly em: EntityManager) {}

  /** Waits for any other run under this name until the transaction ends. */
  async lock(name: string): Promise<void> {
    await this.em.execute('select pg_advisory_xact_lock(hashtext(?))', [name]);
  }

  async anyEntries(accountIds: readonly string[]): Promise<boolean> {
    const [row] = await this.em.execute<Array<{ any: boolean }>>('select exists (select 1 from ledger_entries where account_id in (?)) as any', [accountIds]);
    return row.any;
  }

  async post(row: BackdatedPostingRow): Promise<void> {
    // A customer side whose UPDATE matched nothing leaves its account_id null: the NOT NULL refuses
    // the posting instead of booking that side to the cash account.
    await this.em.execute(
      `with debit as (
         update accounts set balance = balance - ?, entry_count = entry_count + 1, updated_at = now()
         where id = ? and kind = 'customer' returning id, balance, entry_count, currency
       ), credit as (
         update accounts set balance = balance + ?, entry_count = entry_count + 1, updated_at = now()
         where id = ? and kind = 'customer' returning id, balance, entry_count, currency
       ), posted as (
         insert into ledger_transactions (id, kind, amount, currency, description, initiated_by, created_at)
         select gen_random_uuid(), ?, ?, coalesce((select currency from debit), (select currency from credit), 'USD'), ?, ?, ?
         returning id
       )
       insert into ledger_entries (id, transaction_id, account_id, counterparty_account_id, amount, balance_after, account_seq, created_at)
       select gen_random_uuid(), (select id from posted), side.account_id, side.counterparty_id, side.amount, side.balance_after, side.account_seq, ?
       from (values
         (case when ?::uuid is null then ?::uuid else (select id from debit) end, case when ?::uuid is not null then ?::uuid end, -(?::bigint),
          (select balance from debit), (select entry_count from debit)),
         (case when ?::uuid is null then ?::uuid else (select id from credit) end, case when ?::uuid is not null then ?::uuid end, ?::bigint,
          (select balance from credit), (select entry_count from credit))
       ) as side (account_id, counterparty_id, amount, balance_after, account_seq)`,
      [
        row.amount,
        row.debitAccountId,
        row.amount,
        row.creditAccountId,
        row.kind,
        row.amount,
        row.description,
        row.initiatedBy,
        row.at,
        row.at,
        // debit side: its account (or the cash account), the counterparty of a transfer
        row.debitAccountId,
        CASH_ACCOUNT_ID,
        row.kind === 'transfer' ? row.debitAccountId : null,
        row.creditAccountId,
        row.amount,
        // credit side
        row.creditAccountId,
        CASH_ACCOUNT_ID,
        row.kind === 'transfer' ? row.creditAccountId : null,
        row.debitAccountId,
        row.amount,
      ],
    );
  }
}
