import { supersedes } from './request-labels';

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
