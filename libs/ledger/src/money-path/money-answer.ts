import { IDEMPOTENT_REPLAYED_HEADER, type MoneyMoved } from '@bank/contracts/ledger';
import type { TransferHeld } from '@bank/contracts/holds';
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

/** A command's answer: posted (201), or — a transfer only — held for review (202). */
export type MoneyAnswer = (OnceResult<MoneyMoved> & { status: 201 }) | (OnceResult<TransferHeld> & { status: 202 });

/** The answer of a deposit or withdrawal, which no review rule holds. */
export function postedOnly(answer: MoneyAnswer): OnceResult<MoneyMoved> {
  if (answer.status !== 201) throw new Error('a deposit or withdrawal was answered as held');
  return answer;
}

/**
 * One command's outcome as the api answers it: the body (fresh or replayed), or the refusal
 * thrown as its domain error — a replayed one with `Idempotent-Replayed: true`, like a replayed body.
 */
export function answerOf(outcome: MoneyOutcomeRow): MoneyAnswer {
  if ('reused' in outcome) throw new IdempotencyKeyReused();
  const replayed = outcome.replayed === true;
  if (outcome.status === 202) return { status: 202, body: outcome.body as TransferHeld, replayed };
  if (!('refusal' in outcome.body)) return { status: 201, body: outcome.body as MoneyMoved, replayed };
  const { refusal } = outcome.body;
  const error = isLegacy(refusal) ? new DomainError(refusal.code, refusal.status, refusal.detail, refusal.extensions, refusal.errors) : refusalError(refusal);
  if (!replayed) throw error;
  throw new DomainError(error.code, error.status, error.message, error.extensions, error.errors, { [IDEMPOTENT_REPLAYED_HEADER]: 'true' });
}
