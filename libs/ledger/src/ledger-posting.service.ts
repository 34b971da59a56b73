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
 * of every customer side — all in the caller's transaction.
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

    const customerLegs = posting.legs.filter((leg) => leg.account.kind === 'customer');
    const moved = await this.moveBalances(customerLegs, posting.today);
    const transactionId = randomUUID();
    const entryIds = posting.legs.map(() => randomUUID());
    const entryValues = posting.legs.map(() => '(?::uuid, ?::uuid, ?::uuid, ?::bigint, ?::bigint, ?::bigint)').join(', ');
    const entryParams = posting.legs.flatMap((leg, i) => {
      const after = moved.get(leg.account.id);
      return [entryIds[i], leg.account.id, leg.counterparty?.account.id ?? null, leg.amount, after?.balance ?? null, after?.seq ?? null];
    });
    const [{ created_at: createdAt }] = await this.em.execute<Array<{ created_at: Date }>>(
      `with posted as (
         insert into ledger_transactions (id, kind, amount, currency, description, initiated_by) values (?, ?, ?, ?, ?, ?) returning created_at
       )
       insert into ledger_entries (id, transaction_id, account_id, counterparty_account_id, amount, balance_after, account_seq, created_at)
       select v.id, ?::uuid, v.account_id, v.counterparty_id, v.amount, v.balance_after, v.seq, posted.created_at
       from posted, (values ${entryValues}) as v (id, account_id, counterparty_id, amount, balance_after, seq)
       returning created_at`,
      [transactionId, posting.kind, posting.amount, posting.currency, posting.description, posting.initiatedBy, transactionId, ...entryParams],
    );

    const occurredAt = new Date(createdAt).toISOString();
    const transaction: TransactionView = {
      id: transactionId,
      kind: posting.kind,
      amount: posting.amount,
      currency: posting.currency,
      description: posting.description,
      createdAt: occurredAt,
    };
    const legs: PostedLeg[] = [];
    const events: OutboxEvent[] = [];
    posting.legs.forEach((leg, i) => {
      const after = moved.get(leg.account.id);
      if (!after || !leg.account.owner_id) return;
      const entry: EntryView = {
        id: entryIds[i],
        transactionId,
        kind: posting.kind,
        amount: leg.amount,
        balanceAfter: after.balance,
        counterparty: leg.counterparty ? { accountNumber: leg.counterparty.account.number.trim(), name: leg.counterparty.name } : null,
        description: posting.description,
        createdAt: occurredAt,
      };
      legs.push({ account: leg.account, balanceAfter: after.balance, entry });
      const recipient = userRecipient(leg.account.owner_id);
      events.push(
        { recipient, type: 'balance.updated', data: { accountId: leg.account.id, balance: after.balance, currency: posting.currency, transactionId } },
        { recipient, type: 'transaction.posted', data: { ...entry, accountId: leg.account.id } },
      );
    });
    await this.outbox.append(events);
    return { transaction, legs };
  }

  /** One UPDATE for all customer legs; a transfer between a customer's own accounts is one leg each. */
  private async moveBalances(legs: PostingLeg[], today: string): Promise<Map<string, { balance: number; seq: number }>> {
    if (legs.length === 0) return new Map();
    const values = legs.map(() => '(?::uuid, ?::bigint, ?::bigint, ?::date)').join(', ');
    const rows = await this.em.execute<Array<{ id: string; balance: string; entry_count: string }>>(
      `update accounts as a set
         balance = a.balance + v.delta,
         entry_count = a.entry_count + 1,
         spent_today = case when v.spend = 0 then a.spent_today when a.spent_on = v.today then a.spent_today + v.spend else v.spend end,
         spent_on = case when v.spend = 0 then a.spent_on else v.today end,
         updated_at = now()
       from (values ${values}) as v (id, delta, spend, today)
       where a.id = v.id and a.kind = 'customer'
       returning a.id, a.balance, a.entry_count`,
      legs.flatMap((leg) => [leg.account.id, leg.amount, leg.spend, today]),
    );
    if (rows.length !== legs.length) throw new Error(`expected ${legs.length} customer accounts to move, moved ${rows.length}`);
    return new Map(rows.map((row) => [row.id, { balance: minorUnits(row.balance), seq: minorUnits(row.entry_count) }]));
  }
}
