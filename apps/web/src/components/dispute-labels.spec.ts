import { ApiProblem } from '@bank/contracts/client/api-problem';
import type { EntryView } from '@bank/contracts/ledger';
import type { RequestView } from '@bank/contracts/requests';
import { disputeOutcome, disputeReason, disputeRefusal, isDisputable, reversalCaption } from './dispute-labels';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const entry = (overrides: Partial<EntryView>): EntryView => ({
  id: 'e1',
  transactionId: 't1',
  kind: 'transfer',
  amount: -10_000,
  balanceAfter: 0,
  counterparty: { accountNumber: '100000000017', name: 'Bob Payee' },
  description: null,
  createdAt: '2026-11-30T12:00:00Z',
  reversesTransactionId: null,
  reversedByTransactionId: null,
  ...overrides,
});

describe('disputes in words', () => {
  it('offers a dispute on sent transfers only: not received, not reversed, not older than 60 days', () => {
    expect(isDisputable(entry({}), NOW)).toBe(true);
    expect(isDisputable(entry({ amount: 10_000 }), NOW)).toBe(false);
    expect(isDisputable(entry({ kind: 'withdrawal' }), NOW)).toBe(false);
    expect(isDisputable(entry({ kind: 'reversal', amount: -10_000 }), NOW)).toBe(false);
    expect(isDisputable(entry({ reversedByTransactionId: 't2' }), NOW)).toBe(false);
    expect(isDisputable(entry({ createdAt: '2026-10-02T12:00:01Z' }), NOW)).toBe(true);
    expect(isDisputable(entry({ createdAt: '2026-10-02T12:00:00Z' }), NOW)).toBe(false);
  });

  it('says why a dispute was refused, by code and reason; anything else is left to the general message', () => {
    expect(disputeRefusal(new ApiProblem(409, { code: 'CONFLICT' }))).toMatch(/already disputed/);
    expect(disputeRefusal(new ApiProblem(422, { code: 'DISPUTE_NOT_ALLOWED', reason: 'too_old' }))).toMatch(/more than 60 days/);
    expect(disputeRefusal(new ApiProblem(422, { code: 'DISPUTE_NOT_ALLOWED', reason: 'already_reversed' }))).toMatch(/already been reversed/);
    expect(disputeRefusal(new ApiProblem(422, { code: 'DISPUTE_NOT_ALLOWED', reason: 'not_sent_transfer' }))).toMatch(/you sent/);
    expect(disputeRefusal(new ApiProblem(422, { code: 'DISPUTE_NOT_ALLOWED' }))).toBe('This transfer cannot be disputed.');
    expect(disputeRefusal(new ApiProblem(400, { code: 'VALIDATION_FAILED' }))).toBeUndefined();
    expect(disputeRefusal(new Error('boom'))).toBeUndefined();
  });

  it('reads the reason from a dispute, and tells how it ended', () => {
    const dispute = { type: 'transaction_dispute', details: { transactionId: 't1', reason: 'never arrived' }, status: 'failed', resolution: 'INSUFFICIENT_FUNDS' } as unknown as RequestView;
    expect(disputeReason(dispute)).toBe('never arrived');
    expect(disputeReason({ ...dispute, type: 'limit_increase' })).toBeUndefined();
    expect(disputeOutcome(dispute)).toMatch(/no longer holds the money/);
    expect(disputeOutcome({ ...dispute, status: 'rejected', resolution: 'Goods were delivered' })).toBe('Goods were delivered');
    expect(disputeOutcome({ ...dispute, status: 'completed', resolution: null })).toMatch(/money is back/);
    expect(disputeOutcome({ ...dispute, status: 'approved', resolution: null })).toBeNull();
    expect(disputeOutcome({ ...dispute, type: 'limit_increase', resolution: 'ok' })).toBe('ok');
  });

  it('names what a reversal undid when that transfer is on the page', () => {
    expect(reversalCaption(entry({}), 'Nov 30, 2026, 12:00 PM')).toBe('Reversal of the transfer to Bob Payee of Nov 30, 2026, 12:00 PM');
    expect(reversalCaption(undefined, undefined)).toBe('Reversal of an earlier transfer');
  });
});
