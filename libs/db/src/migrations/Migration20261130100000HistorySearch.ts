import { Migration } from '@mikro-orm/migrations';

/**
 * History search (`GET /accounts/:id/transactions?from&to&kind&minAmount&maxAmount&q`, issue 20):
 * indexes that let a page of a sparse filter come from an index instead of a walk down the
 * account's whole history, and a function that turns a date into an `account_seq` (no index at all).
 * Every index here is paid by every posting, so each is as narrow as its query allows
 * (docs/architecture.md "History search" has the measured cost per insert):
 *
 * - `ledger_transactions_description_trgm_idx`: `description ILIKE '%text%'` (3+ characters) through
 *   trigrams; `fastupdate = off` so a search never reads GIN's pending list linearly. Transactions
 *   without a description (most deposits and withdrawals) add one null item.
 * - `ledger_entries_counterparty_seq_idx`: an account's entries with one counterparty, newest first
 *   (a match on the counterparty's name), and the account's distinct counterparties by a skip scan.
 *   Only entries between two customer accounts (transfers, reversals) are in it.
 * - `ledger_entries_size_seq_idx`: an account's entries by absolute amount, then sequence: an exact
 *   amount is a keyset scan, a narrow range a small sort. Customer entries only (cash-side entries
 *   carry no account_seq and are never listed).
 */
export class Migration20261130100000HistorySearch extends Migration {
  override async up(): Promise<void> {
    this.addSql('create extension if not exists pg_trgm;');
    this.addSql('create index ledger_transactions_description_trgm_idx on ledger_transactions using gin (description gin_trgm_ops) with (fastupdate = off);');
    this.addSql(
      'create index ledger_entries_counterparty_seq_idx on ledger_entries (account_id, counterparty_account_id, account_seq) where counterparty_account_id is not null;',
    );
    this.addSql('create index ledger_entries_size_seq_idx on ledger_entries (account_id, abs(amount), account_seq) where account_seq is not null;');
    // The first account_seq of a customer account whose entry was created at or after p_at (one past
    // the last if none), by binary search over 1..entry_count through the (account_id, account_seq)
    // key: about log2(entries) lookups. Exact when created_at grows with account_seq; a caller that
    // must be exact under concurrent postings widens p_at (see LedgerRepository.seqRange) and
    // filters on created_at. STABLE: its lookups read the calling statement's snapshot.
    this.addSql(`
      create function ledger_first_seq_at(p_account uuid, p_at timestamptz) returns bigint language plpgsql stable as $$
      declare
        low bigint := 1;
        high bigint;
        middle bigint;
        middle_at timestamptz;
      begin
        select entry_count + 1 into high from accounts where id = p_account;
        if high is null then
          return 1;
        end if;
        -- every seq below low is before p_at; seq high is at or after it (or one past the last)
        while low < high loop
          middle := (low + high) / 2;
          select created_at into middle_at from ledger_entries where account_id = p_account and account_seq = middle;
          if middle_at < p_at then
            low := middle + 1;
          else
            high := middle;
          end if;
        end loop;
        return low;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop function if exists ledger_first_seq_at(uuid, timestamptz);');
    this.addSql('drop index if exists ledger_entries_size_seq_idx;');
    this.addSql('drop index if exists ledger_entries_counterparty_seq_idx;');
    this.addSql('drop index if exists ledger_transactions_description_trgm_idx;');
  }
}
