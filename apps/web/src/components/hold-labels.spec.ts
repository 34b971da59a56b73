import type { RequestView } from '@bank/contracts/requests';
import { accountAge, holdOutcome, reviewOrder } from './hold-labels';

describe('held transfers in words', () => {
  it('gives a rejection the reviewer’s reason, and every other end its sentence', () => {
    expect(holdOutcome({ status: 'voided' }, 'Payee looks like a scam.')).toBe('Reason: Payee looks like a scam. The amount is available again.');
    expect(holdOutcome({ status: 'voided' }, null)).toBe('The amount is available again.');
    expect(holdOutcome({ status: 'posted' }, 'ignored')).toBe('The money has been sent.');
    expect(holdOutcome({ status: 'cancelled' }, null)).toMatch(/available again/);
    expect(holdOutcome({ status: 'expired' }, null)).toMatch(/in time/);
  });

  it('says how old the sender’s account is in days, then months, then years', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(accountAge('2026-12-01T00:00:00Z', now)).toBe('opened today');
    expect(accountAge('2026-11-30T11:00:00Z', now)).toBe('opened 1 day ago');
    expect(accountAge('2026-10-01T12:00:00Z', now)).toBe('opened 2 months ago');
    expect(accountAge('2024-06-01T12:00:00Z', now)).toBe('opened 2 years ago');
    expect(accountAge('2027-01-01T00:00:00Z', now)).toBe('opened today'); // a clock behind the server's
  });

  it('puts held transfers first in the queue, each group oldest first', () => {
    const request = (id: string, type: RequestView['type'], createdAt: string) => ({ id, type, createdAt }) as RequestView;
    const queue = [request('pin', 'card_pin_reset', '2026-12-01T10:00:00Z'), request('late-hold', 'transfer_review', '2026-12-01T12:00:00Z'), request('hold', 'transfer_review', '2026-12-01T11:00:00Z'), request('limit', 'limit_increase', '2026-12-01T09:00:00Z')];
    expect(reviewOrder(queue).map((r) => r.id)).toEqual(['hold', 'late-hold', 'limit', 'pin']);
  });
});
