import { accountNumberFromPayload, isValidAccountNumber, luhnCheckDigit } from './account-number';

describe('account numbers', () => {
  it('appends the Luhn check digit', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(accountNumberFromPayload('12345678901')).toHaveLength(12);
    expect(isValidAccountNumber(accountNumberFromPayload('12345678901'))).toBe(true);
  });

  it('catches every single-digit typo and every adjacent transposition', () => {
    const number = accountNumberFromPayload('40512345678');
    for (let i = 0; i < 12; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === number[i]) continue;
        expect(isValidAccountNumber(number.slice(0, i) + d + number.slice(i + 1))).toBe(false);
      }
    }
    for (let i = 0; i < 11; i++) {
      if (number[i] === number[i + 1]) continue;
      const swapped = number.slice(0, i) + number[i + 1] + number[i] + number.slice(i + 2);
      // Luhn misses only the 09 ↔ 90 transposition.
      if (`${number[i]}${number[i + 1]}` === '09' || `${number[i]}${number[i + 1]}` === '90') continue;
      expect(isValidAccountNumber(swapped)).toBe(false);
    }
  });

  it('refuses anything that is not 12 digits', () => {
    for (const bad of ['', '123', '1234567890123', '12345678901a', ' 123456789012']) expect(isValidAccountNumber(bad)).toBe(false);
    expect(() => accountNumberFromPayload('123')).toThrow(RangeError);
  });
});
