import { REQUEST_STATUSES, REQUEST_TRANSITIONS, type RequestView } from '@bank/contracts/requests';
import { Forbidden, NotFound } from '@bank/problems/domain-error';
import { DeadlinePassed, InvalidStateTransition } from './requests.errors';
import type { RequestMove, RequestsRepository, TransitionOutcome } from './requests.repository';
import { assertMoveAllowed, REQUEST_MOVES, RequestTransitions, type MoveRule } from './request-transitions';

const steps = (rule: MoveRule) => rule.from.flatMap((from) => [rule.to, ...(rule.toAwaitInput ? [rule.toAwaitInput] : [])].map((to) => `${from}→${to}`));

describe('the service-request moves', () => {
  it('make every step of the lifecycle and no other', () => {
    const made = new Set(Object.values(REQUEST_MOVES).flatMap((rule: MoveRule) => steps(rule)));
    const allowed = new Set(REQUEST_STATUSES.flatMap((from) => REQUEST_TRANSITIONS[from].map((to) => `${from}→${to}`)));
    expect([...made].sort()).toEqual([...allowed].sort());
    for (const [name, rule] of Object.entries(REQUEST_MOVES)) expect(() => assertMoveAllowed(name, rule)).not.toThrow();
  });

  it('refuses a move the lifecycle does not allow, from any of its statuses or to its awaiting status', () => {
    expect(() => assertMoveAllowed('reopen', { from: ['completed'], to: 'approved', action: 'reopened' })).toThrow('illegal transition in code: completed → approved (reopen)');
    expect(() => assertMoveAllowed('cancel late', { from: ['submitted', 'approved'], to: 'cancelled', action: 'cancelled' })).toThrow('approved → cancelled');
    expect(() => assertMoveAllowed('claim', { from: ['submitted'], to: 'in_review', action: 'claimed' })).toThrow('submitted → in_review');
    expect(() => assertMoveAllowed('approve', { from: ['in_review'], to: 'approved', toAwaitInput: 'completed', action: 'approved' })).toThrow('in_review → completed');
  });
});

describe('RequestTransitions.move', () => {
  const request = { id: 'r1', status: 'in_review' } as RequestView;
  const engineAnswering = (outcome: TransitionOutcome) => {
    const sent: RequestMove[] = [];
    const repository = { transition: async (_id: string, move: RequestMove) => (sent.push(move), outcome) } as unknown as RequestsRepository;
    return { transitions: new RequestTransitions(repository), sent };
  };

  it('sends the rule with the call’s guards and changes, and answers the moved request', async () => {
    const { transitions, sent } = engineAnswering({ moved: true, request });
    expect(await transitions.move('r1', 'approve', { actorId: 'e1', note: null, assigneeId: 'e1', awaitInput: { types: ['name_change'], windowS: 600 } })).toBe(request);
    await transitions.move('r1', 'expire', { actorId: null, set: { resolution: 'late' } });
    await transitions.move('r1', 'claim', { actorId: 'e1', set: { assigneeId: 'e1' } });
    expect(sent).toEqual([
      { from: ['in_review'], to: 'approved', actorId: 'e1', note: null, assigneeId: 'e1', window: 'open', awaitInput: { types: ['name_change'], to: 'awaiting_customer', windowS: 600 } },
      { from: ['awaiting_customer'], to: 'expired', actorId: null, note: null, window: 'passed', setResolution: 'late' },
      { from: ['pending_review'], to: 'in_review', actorId: 'e1', note: null, window: 'open', setAssigneeId: 'e1' },
    ]);
  });

  it('answers a refusal as the api does: no such request 404, another employee’s 403, any other status 409', async () => {
    await expect(engineAnswering({ moved: false, current: null }).transitions.move('r1', 'cancel', { actorId: 'c1', ownerId: 'c1' })).rejects.toBeInstanceOf(NotFound);
    await expect(engineAnswering({ moved: false, current: 'in_review', assigneeId: 'e2' }).transitions.move('r1', 'reject', { actorId: 'e1', assigneeId: 'e1' })).rejects.toBeInstanceOf(Forbidden);
    const refused = engineAnswering({ moved: false, current: 'rejected', assigneeId: 'e1' }).transitions.move('r1', 'approve', { actorId: 'e1', assigneeId: 'e1' });
    await expect(refused).rejects.toBeInstanceOf(InvalidStateTransition);
    await expect(refused).rejects.toMatchObject({ message: 'The request is rejected: it cannot be approved now.' });
    const late = engineAnswering({ moved: false, current: 'in_review', assigneeId: 'e1', windowPassed: true }).transitions.move('r1', 'approve', { actorId: 'e1', assigneeId: 'e1' });
    await expect(late).rejects.toBeInstanceOf(DeadlinePassed);
    await expect(late).rejects.toMatchObject({ code: 'INVALID_STATE_TRANSITION', status: 409, message: "The request's deadline has passed: it cannot be approved now." });
  });

  it('refuses, as a bug in code, input awaited by a move that has no status to await it in', async () => {
    await expect(engineAnswering({ moved: true, request }).transitions.move('r1', 'reject', { actorId: 'e1', awaitInput: { types: ['name_change'], windowS: 1 } })).rejects.toThrow('illegal transition in code');
  });
});
