import { ApiProblem } from '@bank/contracts/client/api-problem';
import { moneyProblemMessage } from './money-problems';

const problem = (status: number, code: string, extensions: Record<string, unknown> = {}) =>
  new ApiProblem(status, { status, code: code as never, detail: 'detail for programs', ...extensions });

describe('moneyProblemMessage', () => {
  it('says amounts in the currency, not in minor units', () => {
    expect(moneyProblemMessage(problem(422, 'INSUFFICIENT_FUNDS', { balance: 98_766 }), 'USD')).toBe('Not enough money: $987.66 is available.');
    expect(moneyProblemMessage(problem(422, 'DAILY_LIMIT_EXCEEDED', { dailyLimit: 1_000_000, remaining: 250_050 }), 'USD')).toBe(
      'This is over the daily transfer limit of $10,000.00: $2,500.50 can still be sent today.',
    );
  });

  it('an unknown payee is one plain sentence (not "No account … was not found")', () => {
    expect(moneyProblemMessage(problem(404, 'NOT_FOUND'), 'USD')).toBe('No account has this number. Check the number and try again.');
  });

  it('without the figures, still a sentence; anything else as the forms say it', () => {
    expect(moneyProblemMessage(problem(422, 'INSUFFICIENT_FUNDS'), 'USD')).toBe('Not enough money in this account.');
    expect(moneyProblemMessage(problem(429, 'RATE_LIMITED'), 'USD')).toMatch(/^Too many attempts/);
    expect(moneyProblemMessage(problem(422, 'ACCOUNT_FROZEN'), 'USD')).toBe('detail for programs');
  });
});
