import { IDEMPOTENT_REPLAYED_HEADER, type MoneyMoved } from '@bank/contracts/ledger';
import { DomainError, NotFound } from '@bank/problems/domain-error';
import { CardBlocked, PinInvalid } from '@bank/accounts/card.errors';
import { IdempotencyKeyReused, type OnceResult } from '@bank/idempotency/idempotent-calls';
import { AccountFrozen, CurrencyMismatch, DailyLimitExceeded, InsufficientFunds, SelfTransfer } from '../ledger.errors';
import type { LegacyRefusal, MoneyOutcomeRow, MoneyRefusal } from './money-command';


const NOT_FOUND_SUBJECTS = {
  account: 'The account',
  source: 'The source account',
  target: 'An account with this number',
  card: 'The card',
} as const;

function assertUnreachable(value: never): never {
  throw new Error(`unhandled money refusal ${JSON.stringify(value)}`);
}

/** The domain error of each refusal `money_execute` can answer (one exhaustive mapping). */
export function refusalError(refusal: MoneyRefusal): DomainError {
  switch (refusal.code) {
    case 'NOT_FOUND':
      return new NotFound(NOT_FOUND_SUBJECTS[refusal.params.subject]);
    case 'ACCOUNT_FROZEN':
      return new AccountFrozen(refusal.params.accountStatus, refusal.params.role);
    case 'INSUFFICIENT_FUNDS':
      return new InsufficientFunds(refusal.params.balance, refusal.params.amount);
    case 'DAILY_LIMIT_EXCEEDED':
      return new DailyLimitExceeded(refusal.params.dailyLimit, refusal.params.remaining);
    case 'CURRENCY_MISMATCH':
      return new CurrencyMismatch(refusal.params.from, refusal.params.to);
    case 'SELF_TRANSFER':
      return new SelfTransfer();
    case 'PIN_INVALID':
      return new PinInvalid(refusal.params.attemptsLeft);
    case 'CARD_BLOCKED':
      return new CardBlocked();
    default:
      return assertUnreachable(refusal);
  }
}

function isLegacy(refusal: MoneyRefusal | LegacyRefusal): refusal is LegacyRefusal {
  return 'detail' in refusal;
}

/**
 * One command's outcome as the api answers it: the body (fresh or replayed), or the refusal
 * thrown as its domain error — a replayed one with `Idempotent-Replayed: true`, like a replayed body.
 */
export function answerOf(outcome: MoneyOutcomeRow): OnceResult<MoneyMoved> {
  if ('reused' in outcome) throw new IdempotencyKeyReused();
  const replayed = outcome.replayed === true;
  if (!('refusal' in outcome.body)) return { body: outcome.body, replayed };
  const { refusal } = outcome.body;
  const error = isLegacy(refusal) ? new DomainError(refusal.code, refusal.status, refusal.detail, refusal.extensions, refusal.errors) : refusalError(refusal);
  if (!replayed) throw error;
  throw new DomainError(error.code, error.status, error.message, error.extensions, error.errors, { [IDEMPOTENT_REPLAYED_HEADER]: 'true' });
}
