import { formatMoney, parseMoney } from './money';

describe('money on screen', () => {
  it('parses what people type into exact minor units, never through floats', () => {
    expect(parseMoney('12.34', 'USD')).toEqual({ minor: 1234 });
    expect(parseMoney(' 1,250.5 ', 'USD')).toEqual({ minor: 125050 });
    expect(parseMoney('0.29', 'USD')).toEqual({ minor: 29 }); // 0.29 * 100 = 28.999999999999996 as a float
    expect(parseMoney('1000000000', 'USD')).toEqual({ minor: 100_000_000_000 });
    expect(parseMoney('7', 'JPY')).toEqual({ minor: 7 });
  });

  it('refuses what is not an amount, with a sentence for the field', () => {
    for (const text of ['', 'abc', '-5', '1e3', '12.345', '0', '0.00', '1.2.3', '99999999999999999999']) expect(parseMoney(text, 'USD')).toHaveProperty('error');
    expect(parseMoney('12.345', 'USD')).toEqual({ error: 'At most 2 digits after the point.' });
    expect(parseMoney('1.5', 'JPY')).toEqual({ error: 'At most 0 digits after the point.' });
  });

  it('formats minor units in the account currency', () => {
    expect(formatMoney(123456, 'USD')).toMatch(/1,234\.56/);
    expect(formatMoney(-1234, 'USD', { signed: true })).toMatch(/^-\$12\.34$/);
    expect(formatMoney(1234, 'USD', { signed: true })).toMatch(/^\+\$12\.34$/);
  });

  it('formats a total beyond 2^53 sent as decimal digits without rounding a cent', () => {
    expect(formatMoney('9007199254740993', 'USD')).toMatch(/90,071,992,547,409\.93/);
    expect(formatMoney('-9007199254740993', 'USD')).toMatch(/^-\$90,071,992,547,409\.93$/);
    expect(formatMoney('7', 'USD')).toMatch(/\$0\.07/);
    expect(formatMoney('9007199254740993', 'JPY')).toMatch(/9,007,199,254,740,993/);
  });
});
