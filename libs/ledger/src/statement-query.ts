import type { TransactionKind } from '@bank/contracts/ledger';

/** What a history search narrows the statement to (every one given must hold). */
export interface StatementFilter {
  /** Only entries with account_seq ≥ this (seqRange's low end). */
  seqFrom?: number;
  /** created_at within [createdFrom, createdBefore). */
  createdFrom?: Date;
  createdBefore?: Date;
  kind?: TransactionKind;
  /** Bounds of the entry's absolute amount, inclusive, minor units. */
  minAmount?: number;
  maxAmount?: number;
  /** A case-insensitive part of the description, or of the counterparty's holder's name: */
  text?: string;
  /** the counterparty accounts whose holder's name contains `text` (the caller matched them). */
  counterpartyIds?: readonly string[];
}

/** `%`, `_` and the escape character itself match literally in ILIKE (its default escape is the backslash). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * The conditions every branch of a statement page shares, on `e` (ledger_entries) and, where
 * `onTransaction`, `t` (ledger_transactions). A deposit or a withdrawal is told by its entry alone
 * (a posting against the cash account has no counterparty; its sign says which), so those two kinds
 * need no join; a transfer and a reversal differ only on the transaction, whose indexed
 * `reverses_transaction_id` its CHECK ties to the kind reversal (the planner may start there).
 */
function statementConditions(accountId: string, belowSeq: number, filter: StatementFilter): { sql: string[]; params: unknown[]; onTransaction: boolean } {
  const sql = ['e.account_id = ?', 'e.account_seq < ?'];
  const params: unknown[] = [accountId, belowSeq];
  if (filter.seqFrom !== undefined) sql.push('e.account_seq >= ?') && params.push(filter.seqFrom);
  if (filter.createdFrom) sql.push('e.created_at >= ?') && params.push(filter.createdFrom);
  if (filter.createdBefore) sql.push('e.created_at < ?') && params.push(filter.createdBefore);
  if (filter.kind) sql.push(KIND_CONDITION[filter.kind]);
  // With a text, the text's indexes lead and the amount only filters: written as `abs(e.amount + 0)`
  // the amount index cannot be picked, because the planner multiplies the selectivities of a seq
  // range, an amount range and a text as if unrelated, and then trusts the amount index with a range
  // it thinks tiny (measured: 200 ms for a month + amount + text page that walks in 5 ms).
  const size = filter.text === undefined ? 'abs(e.amount)' : 'abs(e.amount + 0)';
  // One amount is an equality: the planner then estimates it from the index's statistics (a range
  // of width zero gets a fixed guess of 0.5 % of the rows) and the index hands it over in seq order.
  if (filter.minAmount !== undefined && filter.minAmount === filter.maxAmount) {
    sql.push(`${size} = ?`) && params.push(filter.minAmount);
  } else {
    if (filter.minAmount !== undefined) sql.push(`${size} >= ?`) && params.push(filter.minAmount);
    if (filter.maxAmount !== undefined) sql.push(`${size} <= ?`) && params.push(filter.maxAmount);
  }
  return { sql, params, onTransaction: filter.kind === 'transfer' || filter.kind === 'reversal' };
}

const KIND_CONDITION: Record<TransactionKind, string> = {
  deposit: 'e.counterparty_account_id is null and e.amount > 0',
  withdrawal: 'e.counterparty_account_id is null and e.amount < 0',
  transfer: "e.counterparty_account_id is not null and t.kind = 'transfer' and t.reverses_transaction_id is null",
  reversal: "e.counterparty_account_id is not null and t.kind = 'reversal' and t.reverses_transaction_id is not null",
};

/**
 * The sequence numbers of the newest `limit` entries below `belowSeq` that match the filter, as SQL
 * with `?` placeholders (LedgerRepository runs it; bench/history-search-bench.mjs EXPLAINs the very
 * same text). Rows `{account_seq}`, newest first.
 *
 * Without `scanBudget` the planner picks the way: the account's keyset walk with the filter applied
 * (cheap when matches are dense), or an index of a sparse filter then a sort (the amount, a
 * reversal, the text). A text search is two branches, each planned on its own so each can take its
 * own index: the description (trigram GIN on ledger_transactions) and the counterparties whose
 * holder's name matched (one keyset scan per counterparty); their union is cut to the page.
 *
 * With `scanBudget` it walks at most that many of the newest entries below `belowSeq` and filters
 * those only: bounded work whatever the planner would have guessed. Then one row always comes back,
 * with `scanned` (entries walked) and `floor` (the lowest seq walked) beside each match's
 * `account_seq` (null when none matched).
 */
export function statementMatchesQuery(accountId: string, belowSeq: number, limit: number, filter: StatementFilter = {}, scanBudget?: number): { sql: string; params: unknown[] } {
  const base = statementConditions(accountId, belowSeq, filter);
  const text = filter.text === undefined ? undefined : `%${escapeLike(filter.text)}%`;
  const counterparties = `{${(filter.counterpartyIds ?? []).join(',')}}`;
  if (scanBudget !== undefined) {
    const walk = ['e.account_id = ?', 'e.account_seq < ?', ...(filter.seqFrom !== undefined ? ['e.account_seq >= ?'] : [])];
    const walkParams = [accountId, belowSeq, ...(filter.seqFrom !== undefined ? [filter.seqFrom] : [])];
    const onTransaction = base.onTransaction || text !== undefined;
    const conditions = [...base.sql, ...(text !== undefined ? ['(t.description ilike ? or e.counterparty_account_id = any(?::uuid[]))'] : [])];
    const walked = `select e.account_id, e.account_seq, e.transaction_id, e.amount, e.counterparty_account_id, e.created_at
                    from ledger_entries e where ${walk.join(' and ')} order by e.account_seq desc limit ?`;
    // The walk is read twice: counted (its entries only, cheap), and filtered newest first — in seq
    // order, so the filtering stops at the page's last match. Each entry's transaction is looked up
    // by its key in a LATERAL that `limit 1` keeps from being flattened: the planner could otherwise
    // hash the whole ledger_transactions table to join a few thousand entries.
    const transaction = onTransaction
      ? `cross join lateral (select t.kind, t.description, t.reverses_transaction_id from ledger_transactions t where t.id = e.transaction_id limit 1) t`
      : '';
    return {
      sql: `select m.account_seq, s.scanned, s.floor
            from (select count(*) as scanned, min(account_seq) as floor from (${walked}) w) s
            left join lateral (
              select e.account_seq from (${walked}) e ${transaction}
              where ${conditions.join(' and ')} order by e.account_seq desc limit ?) m on true
            order by m.account_seq desc`,
      params: [...walkParams, scanBudget, ...walkParams, scanBudget, ...base.params, ...(text !== undefined ? [text, counterparties] : []), limit],
    };
  }
  const keyset = (extra: string, extraParams: unknown[], onTransaction = base.onTransaction) => ({
    sql: `select e.account_seq from ledger_entries e ${onTransaction ? 'join ledger_transactions t on t.id = e.transaction_id' : ''}
          where ${[...base.sql, extra].filter(Boolean).join(' and ')} order by e.account_seq desc limit ?`,
    params: [...base.params, ...extraParams, limit],
  });
  if (text === undefined) return keyset('', []);
  const byDescription = keyset('t.description ilike ?', [text], true);
  const byCounterparty = keyset('e.counterparty_account_id = cp.id', []);
  return {
    sql: `select account_seq from (
            (${byDescription.sql})
            union
            (select m.account_seq from unnest(?::uuid[]) as cp (id) cross join lateral (${byCounterparty.sql}) m)
          ) as found order by account_seq desc limit ?`,
    params: [...byDescription.params, counterparties, ...byCounterparty.params, limit],
  };
}

/** The entries of an account at these sequence numbers, newest first, with their transaction, counterparty and reversal. */
export function statementRowsQuery(accountId: string, seqs: readonly number[]): { sql: string; params: unknown[] } {
  return {
    sql: `select e.id, e.transaction_id, t.kind, e.amount, e.balance_after, e.account_seq, e.created_at, t.description,
                 c.number as counterparty_number, c.owner_id as counterparty_owner_id, t.reverses_transaction_id,
                 (select r.id from ledger_transactions r where r.reverses_transaction_id = t.id) as reversed_by_transaction_id
          from ledger_entries e
          join ledger_transactions t on t.id = e.transaction_id
          left join lateral (select a.number, a.owner_id from accounts a where a.id = e.counterparty_account_id) c on true
          where e.account_id = ? and e.account_seq = any(?::bigint[])
          order by e.account_seq desc`,
    params: [accountId, `{${seqs.join(',')}}`],
  };
}
