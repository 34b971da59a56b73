import type { RequestView } from '@bank/contracts/requests';
import { queueOrder, supersedes, viewersLine } from './request-labels';

describe('which copy of a request is news', () => {
  it('takes the later one; at the same instant, the one the other can move to', () => {
    const at = '2026-12-01T12:00:00.000Z';
    expect(supersedes({ status: 'in_review', updatedAt: '2026-12-01T12:00:01.000Z' }, { status: 'pending_review', updatedAt: at })).toBe(true);
    expect(supersedes({ status: 'pending_review', updatedAt: at }, { status: 'in_review', updatedAt: '2026-12-01T12:00:01.000Z' })).toBe(false);
    // Filed straight into the queue in one statement: the "submitted" event arriving after the answer is old news.
    expect(supersedes({ status: 'submitted', updatedAt: at }, { status: 'pending_review', updatedAt: at })).toBe(false);
    expect(supersedes({ status: 'pending_review', updatedAt: at }, { status: 'submitted', updatedAt: at })).toBe(true);
    expect(supersedes({ status: 'pending_review', updatedAt: at }, { status: 'pending_review', updatedAt: at })).toBe(true);
  });
});

describe('the employees’ queue', () => {
  const now = Date.parse('2026-12-01T12:00:00.000Z');
  const request = (id: string, type: RequestView['type'], createdAt: string, dueAt: string): RequestView =>
    ({ id, type, status: 'pending_review', createdAt, dueAt, updatedAt: createdAt }) as RequestView;

  it('puts overdue requests first, then held transfers, then the oldest', () => {
    const queue = [
      request('fresh-kyc', 'kyc_update', '2026-12-01T08:00:00.000Z', '2026-12-02T08:00:00.000Z'),
      request('fresh-hold', 'transfer_review', '2026-12-01T11:30:00.000Z', '2026-12-01T12:30:00.000Z'),
      request('late-kyc', 'kyc_update', '2026-11-30T09:00:00.000Z', '2026-12-01T09:00:00.000Z'),
      request('late-hold', 'transfer_review', '2026-12-01T10:00:00.000Z', '2026-12-01T11:00:00.000Z'),
      request('older-kyc', 'kyc_update', '2026-12-01T07:00:00.000Z', '2026-12-02T07:00:00.000Z'),
    ];
    expect(queueOrder(queue, now).map((r) => r.id)).toEqual(['late-hold', 'late-kyc', 'fresh-hold', 'older-kyc', 'fresh-kyc']);
  });

  it('names the other viewers, never the reader', () => {
    const emma = { userId: 'e', fullName: 'Emma' };
    const noah = { userId: 'n', fullName: 'Noah' };
    expect(viewersLine([emma], 'n')).toBe('Emma is viewing');
    expect(viewersLine([emma, noah], 'n')).toBe('Emma is viewing');
    expect(viewersLine([emma, noah], 'x')).toBe('Emma and Noah are viewing');
    expect(viewersLine([emma], 'e')).toBeNull();
    expect(viewersLine([emma, noah, { userId: 'a', fullName: 'Ava' }, { userId: 'l', fullName: 'Liam' }], 'x')).toBe('Emma, Noah and 2 others are viewing');
  });
});
