import { ApiProblem } from '@bank/contracts/client/api-problem';
import { formatMoney } from '../../format/money';
import { problemMessage } from '../form-errors';

/** An extension of the problem document, if the api sent it as a number. */
function amountExtension(error: ApiProblem, name: string): number | null {
  const value = (error.document as Record<string, unknown>)[name];
  return typeof value === 'number' ? value : null;
}

/**
 * A money refusal as a sentence for the person paying: amounts in the account's currency (the
 * api's `detail` speaks in minor units, for programs), and what to do about it.
 */
export function moneyProblemMessage(error: unknown, currency: string): string {
  if (!(error instanceof ApiProblem)) return problemMessage(error);
  const money = (minor: number | null) => (minor === null ? null : formatMoney(minor, currency));
  switch (error.code) {
    case 'NOT_FOUND':
      return 'No account has this number. Check the number and try again.';
    case 'INSUFFICIENT_FUNDS': {
      const available = money(amountExtension(error, 'balance'));
      return available ? `Not enough money: ${available} is available.` : 'Not enough money in this account.';
    }
    case 'DAILY_LIMIT_EXCEEDED': {
      const limit = money(amountExtension(error, 'dailyLimit'));
      const remaining = money(amountExtension(error, 'remaining'));
      return limit && remaining ? `This is over the daily transfer limit of ${limit}: ${remaining} can still be sent today.` : 'This is over the daily transfer limit.';
    }
    case 'SELF_TRANSFER':
      return 'This is the account you are sending from. Choose another account.';
    default:
      return problemMessage(error);
  }
}
