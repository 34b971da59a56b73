import { canTransition, CreateRequestSchema, isOverdue, OPEN_REQUEST_STATUSES, requestDueAt, REQUEST_STATUSES, REQUEST_TRANSITIONS } from './requests';

describe('service-request lifecycle', () => {
  it('allows exactly the moves of DESIGN.md', () => {
    const allowed = REQUEST_STATUSES.flatMap((from) => REQUEST_TRANSITIONS[from].map((to) => `${from}→${to}`)).sort();
    expect(allowed).toEqual(
      [
        'submitted→pending_review',
        'submitted→cancelled',
        'pending_review→in_review',
        'pending_review→cancelled',
        'in_review→approved',
        'in_review→awaiting_customer',
        'in_review→rejected',
        // A transfer review (API.md "Holds") is cancelled with its hold, or expires with it, while undecided.
        'submitted→expired',
        'pending_review→expired',
        'in_review→cancelled',
        'in_review→expired',
        'awaiting_customer→approved',
        'awaiting_customer→expired',
        'approved→completed',
        'approved→failed',
        // The employee queue (API.md): released or its claim expired; reassigned by an admin.
        'in_review→pending_review',
        'in_review→in_review',
        // Maker-checker: a second, different employee approves or rejects.
        'in_review→awaiting_second_approval',
        'awaiting_second_approval→approved',
        'awaiting_second_approval→rejected',
      ].sort(),
    );
    expect(canTransition('approved', 'cancelled')).toBe(false);
    expect(canTransition('completed', 'approved')).toBe(false);
    expect(OPEN_REQUEST_STATUSES).toEqual(['submitted', 'pending_review', 'in_review', 'awaiting_customer', 'awaiting_second_approval', 'approved']);
  });

  it('gives each request its dueAt from its type’s service level, and counts it overdue only while undecided', () => {
    const createdAt = '2026-11-30T10:00:00.000Z';
    expect(requestDueAt('transfer_review', createdAt)).toBe('2026-11-30T11:00:00.000Z');
    expect(requestDueAt('kyc_update', createdAt)).toBe('2026-12-01T10:00:00.000Z');
    const due = Date.parse('2026-12-01T10:00:00.000Z');
    expect(isOverdue({ status: 'pending_review', dueAt: '2026-12-01T10:00:00.000Z' }, due - 1)).toBe(false);
    expect(isOverdue({ status: 'pending_review', dueAt: '2026-12-01T10:00:00.000Z' }, due)).toBe(true);
    expect(isOverdue({ status: 'awaiting_second_approval', dueAt: '2026-12-01T10:00:00.000Z' }, due)).toBe(true);
    expect(isOverdue({ status: 'completed', dueAt: '2026-12-01T10:00:00.000Z' }, due + 1)).toBe(false);
    expect(isOverdue({ status: 'awaiting_customer', dueAt: '2026-12-01T10:00:00.000Z' }, due + 1)).toBe(false);
  });

  it('validates details per type, naming the path', () => {
    const paths = (input: unknown) => {
      const result = CreateRequestSchema.safeParse(input);
      return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
    };
    expect(paths({ type: 'limit_increase', accountId: '7f1b6a4e-3c1d-4b7a-9a57-7c1e8f2d9b10', details: { dailyLimit: 2_000_000 } })).toEqual([]);
    expect(paths({ type: 'limit_increase', accountId: '7f1b6a4e-3c1d-4b7a-9a57-7c1e8f2d9b10', details: { dailyLimit: 1.5 } })).toEqual(['details.dailyLimit']);
    expect(paths({ type: 'limit_increase', details: { dailyLimit: 5 } })).toEqual(['accountId']);
    expect(paths({ type: 'kyc_update', details: { address: '1 Main Street', phone: 'call me' } })).toEqual(['details.phone']);
    expect(paths({ type: 'card_pin_reset', details: { pin: '1234' } })).toEqual(['details']);
    expect(paths({ type: 'wire_money', details: {} })).toEqual(['type']);
  });
});
