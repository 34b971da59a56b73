import type { EntryView } from '@bank/contracts/ledger';
import { historyCsv } from './history-csv';

const entry = (overrides: Partial<EntryView>): EntryView => ({
  id: '1',
  transactionId: 't-1',
  kind: 'transfer',
  amount: -1250,
  balanceAfter: 8750,
  counterparty: { accountNumber: '123456789012', name: 'Bob "B" Example' },
  description: 'Lunch, with friends',
  createdAt: '2026-11-25T10:00:00.000Z',
  ...overrides,
});

describe('history CSV export', () => {
  it('one quoted row per entry, amounts in major units with their sign', () => {
    const csv = historyCsv([entry({})]);
    const [header, row] = csv.trimEnd().split('\r\n');
    expect(header).toBe('date,kind,description,counterparty,counterparty_account,amount,balance_after,transaction_id');
    expect(row).toBe('"2026-11-25T10:00:00.000Z","transfer","Lunch, with friends","Bob ""B"" Example","123456789012","-12.50","87.50","t-1"');
  });

  it('defuses text a spreadsheet would run as a formula, but not negative amounts', () => {
    const row = historyCsv([entry({ description: '=HYPERLINK("http://evil")', counterparty: { accountNumber: '1', name: '+cmd' } })]).split('\r\n')[1];
    expect(row).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(row).toContain(`"'+cmd"`);
    expect(row).toContain('"-12.50"');
  });
});
