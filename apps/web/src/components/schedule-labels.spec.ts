import { refusalInWords, scheduleInWords } from './schedule-labels';

describe('scheduled transfers in words', () => {
  it('says when a schedule runs', () => {
    expect(scheduleInWords({ startOn: '2027-01-31', frequency: 'monthly', count: 3 })).toBe("Monthly on the 31st (or the month's last day) from 2027-01-31, 3 times");
    expect(scheduleInWords({ startOn: '2027-02-01', frequency: 'monthly' })).toBe('Monthly on the 1st from 2027-02-01, until cancelled');
    expect(scheduleInWords({ startOn: '2027-03-01', frequency: 'weekly', count: 2 })).toBe('Every Monday from 2027-03-01, 2 times');
    expect(scheduleInWords({ startOn: '2027-03-11', frequency: 'once', count: 1 })).toBe('Once on 2027-03-11');
    expect(scheduleInWords({ startOn: '2027-03-12', frequency: 'monthly' })).toMatch(/the 12th/);
    expect(scheduleInWords({ startOn: '2027-03-22', frequency: 'monthly' })).toMatch(/the 22nd/);
  });

  it('says why a run was refused, and the code for one it does not know', () => {
    expect(refusalInWords('INSUFFICIENT_FUNDS')).toBe('not enough money in the account');
    expect(refusalInWords('DAILY_LIMIT_EXCEEDED')).toMatch(/daily/);
    expect(refusalInWords('SOMETHING_NEW')).toBe('refused (SOMETHING_NEW)');
    expect(refusalInWords(null)).toBe('');
  });
});
