import { DomainError } from '@bank/problems/domain-error';

export const PIN_ATTEMPTS_MAX = 3;

export class PinInvalid extends DomainError {
  constructor(attemptsLeft: number) {
    super(
      'PIN_INVALID',
      422,
      attemptsLeft > 0 ? `The card PIN is wrong. ${attemptsLeft} ${attemptsLeft === 1 ? 'attempt' : 'attempts'} left before the card is blocked.` : 'The card PIN is wrong. The card is now blocked.',
      { attemptsLeft },
    );
  }
}

export class CardBlocked extends DomainError {
  constructor() {
    super('CARD_BLOCKED', 423, `The card is blocked after ${PIN_ATTEMPTS_MAX} wrong PINs in a row. File a card_pin_reset request to unblock it.`);
  }
}
