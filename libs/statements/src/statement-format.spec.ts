import { formatMinorUnits } from './statement-format';
import { csvField } from './statement-csv';
import { winAnsiText } from './statement-pdf';
import { statementFormat } from './statement-media-type';
import { parseStatementMonth } from './statement-month';
import { monthsNewestFirst } from '@bank/contracts/statements';

describe('statement formatting', () => {
  it('formats minor units exactly, any size, both signs', () => {
    expect(formatMinorUnits(0n)).toBe('0.00');
    expect(formatMinorUnits(-1250n)).toBe('-12.50');
    expect(formatMinorUnits('7')).toBe('0.07');
    expect(formatMinorUnits(-5n)).toBe('-0.05');
    expect(formatMinorUnits('18014398509481983')).toBe('180143985094819.83');
  });

  it('quotes CSV fields that need it and defuses formulas (OWASP CSV injection)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-cmd')).toBe("'-cmd");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('=a,"b"')).toBe(`"'=a,""b"""`);
    // The statement's own numbers stay numbers.
    expect(csvField('-12.50')).toBe('-12.50');
  });

  it('keeps WinAnsi text, strips accents it cannot show, replaces the rest', () => {
    expect(winAnsiText('Zoë Œuvre – €5 “ok”')).toBe('Zoë Œuvre – €5 “ok”');
    expect(winAnsiText('Şahin Łukasz 李')).toBe('Sahin ?ukasz ?');
    expect(winAnsiText('a\u0007b')).toBe('a b');
    expect(winAnsiText('😀')).toBe('?');
  });

  it('negotiates the format from Accept', () => {
    expect(statementFormat(undefined)).toBe('csv');
    expect(statementFormat('*/*')).toBe('csv');
    expect(statementFormat('application/pdf')).toBe('pdf');
    expect(statementFormat('text/csv;q=0.2, */*;q=0.5')).toBe('pdf');
    expect(statementFormat('application/pdf;q=abc, text/csv')).toBe('csv');
    expect(() => statementFormat('application/json')).toThrow(expect.objectContaining({ code: 'NOT_ACCEPTABLE', status: 406 }));
    expect(() => statementFormat('nonsense')).toThrow(expect.objectContaining({ code: 'NOT_ACCEPTABLE' }));
  });

  it('parses UTC months and refuses malformed and future ones', () => {
    const now = new Date('2026-11-30T05:00:00Z');
    expect(parseStatementMonth('2026-02', now)).toEqual({ month: '2026-02', start: new Date('2026-02-01T00:00:00Z'), end: new Date('2026-03-01T00:00:00Z'), toDate: false });
    expect(parseStatementMonth('2025-12', now).end).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(parseStatementMonth('2026-11', now).toDate).toBe(true);
    for (const bad of ['2026-13', '2026-1', 'abc', '2026-00', '2026-12']) expect(() => parseStatementMonth(bad, now)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('lists months newest first across a year end', () => {
    expect(monthsNewestFirst('2025-11', '2026-02')).toEqual(['2026-02', '2026-01', '2025-12', '2025-11']);
    expect(monthsNewestFirst('2026-02', '2026-02')).toEqual(['2026-02']);
  });
});
