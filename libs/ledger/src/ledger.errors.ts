import { DomainError } from '@bank/problems/domain-error';

export class InsufficientFunds extends DomainError {
  constructor(balance: number, amount: number) {
    super('INSUFFICIENT_FUNDS', 422, `The available balance (${balance}) does not cover ${amount}.`, { balance });
  }
}

export class SelfTransfer extends DomainError {
  constructor() {
    super('SELF_TRANSFER', 422, 'An account cannot transfer to itself.');
  }
}

export class CurrencyMismatch extends DomainError {
  constructor(from: string, to: string) {
    super('CURRENCY_MISMATCH', 422, `The accounts hold different currencies (${from} → ${to}).`);
  }
}

/** A frozen or closed account cannot be debited; a closed one cannot be credited either. */
export class AccountFrozen extends DomainError {
  constructor(accountStatus: 'frozen' | 'closed', role: 'source' | 'target') {
    super(
      'ACCOUNT_FROZEN',
      422,
      accountStatus === 'closed' ? `The ${role} account is closed.` : `The ${role} account is frozen: it cannot be debited.`,
      { accountStatus },
    );
  }
}

export class DailyLimitExceeded extends DomainError {
  constructor(dailyLimit: number, remaining: number) {
    super('DAILY_LIMIT_EXCEEDED', 422, `This transfer exceeds the daily transfer limit (${dailyLimit}); ${remaining} remains today.`, { dailyLimit, remaining });
  }
}
