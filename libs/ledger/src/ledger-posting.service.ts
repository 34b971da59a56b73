import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { EntryView, TransactionKind, TransactionView } from '@bank/contracts/ledger';
import { userRecipient } from '@bank/contracts/events';
import { minorUnits, type AccountRow } from '@bank/accounts/account-row';
import { OutboxService, type OutboxEvent } from '@bank/outbox/outbox.service';

/** One side of a posting. Customer legs must already be row-locked by the caller. */
export interface PostingLeg {
  account: AccountRow;
  /** Signed minor units: + credit, − debit. */
  amount: number;
  /** Shown on this side's statement; null for the cash account. */
  counterparty: { account: AccountRow; name: string } | null;
  /** Minor units this leg adds to the account's spending against its daily transfer limit. */
  spend: number;
}

export interface Posting {
  kind: TransactionKind;
  amount: number;
  currency: string;
  description: string | null;
  initiatedBy: string;
  legs: PostingLeg[];
  /** UTC date the daily limit counts in (the same the caller checked against). */
  today: string;
  /** The database transaction's own `now()`, which the rows get as their time. */
  transactionTime: Date;
}

export interface PostedLeg {
  account: AccountRow;
  balanceAfter: number;
  entry: EntryView;
}

export interface PostedTransaction {
  transaction: TransactionView;
  /** Customer legs, in the order given. */
  legs: PostedLeg[];
}

/**
 * The only code that writes ledger entries and balances. It trusts the caller's rule checks and
 * row locks, and guarantees the bookkeeping: entries summing to zero, stored balances moved by
 * exactly their entries, running balances and per-account sequence numbers, and the outbox events
 * of every customer side — in the caller's transaction, as one statement (the customer rows are
 * locked, so their new balances and sequence numbers are known before it runs, and checked after).
 *
 * System (cash) legs never touch their account row: their balance is derived from entries, so
 * deposits do not serialize on one hot row (money rule 2).
 */
@Injectable()
export class LedgerPostingService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxService,
  ) {}

  async post(posting: Posting): Promise<PostedTransaction> {
    if (!this.em.isInTransaction()) throw new Error('postings must run inside a transaction');
    const sum = posting.legs.reduce((total, leg) => total + leg.amount, 0);
    if (sum !== 0 || posting.legs.length < 2) throw new Error(`unbalanced posting: ${posting.legs.length} legs summing to ${sum}`);

    const transactionId = randomUUID();
    const occurredAt = posting.transactionTime.toISOString();
    const transaction: TransactionView = {
      id: transactionId,
      kind: posting.kind,
      amount: posting.amount,
      currency: posting.currency,
      description: posting.description,
      createdAt: occurredAt,
    };
    const sides = posting.legs.map((leg) => {
      const customer = leg.account.kind === 'customer';
      return {
        leg,
        entryId: randomUUID(),
        balanceAfter: customer ? minorUnits(leg.account.balance) + leg.amount : null,
        seq: customer ? minorUnits(leg.account.entry_count) + 1 : null,
      };
    });
    const legs: PostedLeg[] = [];
    const events: OutboxEvent[] = [];
    for (const { leg, entryId, balanceAfter } of sides) {
      if (balanceAfter === null || !leg.account.owner_id) continue;
      const entry: EntryView = {
        id: entryId,
        transactionId,
        kind: posting.kind,
        amount: leg.amount,
        balanceAfter,
        counterparty: leg.counterparty ? { accountNumber: leg.counterparty.account.number.trim(), name: leg.counterparty.name } : null,
        description: posting.description,
        createdAt: occurredAt,
      };
      legs.push({ account: leg.account, balanceAfter, entry });
      const recipient = userRecipient(leg.account.owner_id);
      events.push(
        { recipient, type: 'balance.updated', data: { accountId: leg.account.id, balance: balanceAfter, currency: posting.currency, transactionId } },
        { recipient, type: 'transaction.posted', data: { ...entry, accountId: leg.account.id } },
      );
    }

    const customerSides = sides.filter((side) => side.balanceAfter !== null);
    const events$ = this.outbox.insertStatement(events);
    const [result] = await this.em.execute<Array<{ moved: Array<{ id: string; balance: string; entry_count: string }> }>>(
      `with moved as (
         update accounts as a set
           balance = a.balance + v.delta,
           entry_count = a.entry_count + 1,
           spent_today = case when v.spend = 0 then a.spent_today when a.spent_on = v.today then a.spent_today + v.spend else v.spend end,
           spent_on = case when v.spend = 0 then a.spent_on else v.today end,
           updated_at = now()
         from (values ${customerSides.map(() => '(?::uuid, ?::bigint, ?::bigint, ?::date)').join(', ')}) as v (id, delta, spend, today)
         where a.id = v.id and a.kind = 'customer'
         returning a.id, a.balance, a.entry_count
       ),
       posted as (
         insert into ledger_transactions (id, kind, amount, currency, description, initiated_by) values (?, ?, ?, ?, ?, ?)
       ),
       entries as (
         insert into ledger_entries (id, transaction_id, account_id, counterparty_account_id, amount, balance_after, account_seq)
         select v.id, ?::uuid, v.account_id, v.counterparty_id, v.amount, v.balance_after, v.seq
         from (values ${sides.map(() => '(?::uuid, ?::uuid, ?::uuid, ?::bigint, ?::bigint, ?::bigint)').join(', ')}) as v (id, account_id, counterparty_id, amount, balance_after, seq)
       ),
       events as (${events$.sql})
       select coalesce((select json_agg(moved) from moved), '[]'::json) as moved`,
      [
        ...customerSides.flatMap(({ leg }) => [leg.account.id, leg.amount, leg.spend, posting.today]),
        transactionId,
        posting.kind,
        posting.amount,
        posting.currency,
        posting.description,
        posting.initiatedBy,
        transactionId,
        ...sides.flatMap(({ leg, entryId, balanceAfter, seq }) => [entryId, leg.account.id, leg.counterparty?.account.id ?? null, leg.amount, balanceAfter, seq]),
        ...events$.params,
      ],
    );
    // The rows were locked, so the database must agree with what was computed; anything else is a bug.
    for (const { leg, balanceAfter, seq } of customerSides) {
      const row = result.moved.find((moved) => moved.id === leg.account.id);
      if (!row || minorUnits(row.balance) !== balanceAfter || minorUnits(row.entry_count) !== seq) {
        throw new Error(`posting disagreed with the locked row of account ${leg.account.id}`);
      }
    }
    return { transaction, legs };
  }
}
