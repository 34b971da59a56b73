import { nextRunDate, parseIsoDate, runDate, scheduleProblems, upcomingRunDates, utcToday } from './schedules';

describe('run dates of a schedule', () => {
  it('monthly from the 31st falls on each month’s last day and returns to the 31st (2027, not a leap year)', () => {
    expect(upcomingRunDates({ startOn: '2027-01-31', frequency: 'monthly' }, 6)).toEqual(['2027-01-31', '2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31', '2027-06-30']);
  });

  it('monthly from the 31st reaches Feb 29 in a leap year, and crosses the year', () => {
    expect(upcomingRunDates({ startOn: '2027-11-30', frequency: 'monthly' }, 4)).toEqual(['2027-11-30', '2027-12-30', '2028-01-30', '2028-02-29']);
    expect(upcomingRunDates({ startOn: '2028-01-31', frequency: 'monthly' }, 3)).toEqual(['2028-01-31', '2028-02-29', '2028-03-31']);
    expect(runDate('2100-01-29', 'monthly', 1)).toBe('2100-02-28'); // 2100 is not a leap year
    expect(runDate('2000-01-29', 'monthly', 1)).toBe('2000-02-29'); // 2000 is
  });

  it('monthly on the 29th of a leap February keeps the 29th afterwards', () => {
    expect(upcomingRunDates({ startOn: '2028-02-29', frequency: 'monthly' }, 13).slice(-2)).toEqual(['2029-01-29', '2029-02-28']);
  });

  it('weekly is 7 days apart across month and year ends', () => {
    expect(upcomingRunDates({ startOn: '2027-12-24', frequency: 'weekly' }, 3)).toEqual(['2027-12-24', '2027-12-31', '2028-01-07']);
    expect(runDate('2028-02-22', 'weekly', 1)).toBe('2028-02-29');
  });

  it('stops after count runs; once runs once; without a count it goes on', () => {
    expect(upcomingRunDates({ startOn: '2027-03-01', frequency: 'weekly', count: 2 }, 5)).toEqual(['2027-03-01', '2027-03-08']);
    expect(upcomingRunDates({ startOn: '2027-03-01', frequency: 'once' }, 5)).toEqual(['2027-03-01']);
    expect(nextRunDate({ startOn: '2027-03-01', frequency: 'once' }, 1)).toBeNull();
    expect(nextRunDate({ startOn: '2027-03-01', frequency: 'monthly' }, 120)).toBe('2037-03-01');
    expect(() => runDate('2027-03-01', 'once', 1)).toThrow(RangeError);
    expect(() => runDate('2027-02-30', 'weekly', 0)).toThrow(RangeError);
  });
});

describe('dates', () => {
  it('accepts only real calendar dates', () => {
    expect(parseIsoDate('2028-02-29')).not.toBeNull();
    for (const text of ['2027-02-29', '2027-13-01', '2027-00-10', '2027-04-31', '27-01-01', '2027-1-1', '2027-01-01T00:00:00Z', '']) expect(parseIsoDate(text)).toBeNull();
  });

  it('today is the UTC date', () => {
    expect(utcToday(Date.UTC(2027, 0, 31, 23, 59, 59))).toBe('2027-01-31');
    expect(utcToday(Date.UTC(2027, 1, 1, 0, 0, 0))).toBe('2027-02-01');
  });
});

describe('scheduleProblems', () => {
  const today = '2027-01-15';
  it('accepts a schedule that can run', () => {
    expect(scheduleProblems({ startOn: today, frequency: 'once' }, today)).toEqual([]);
    expect(scheduleProblems({ startOn: '2027-01-31', frequency: 'monthly', count: 600 }, today)).toEqual([]);
    expect(scheduleProblems({ startOn: '2027-01-31', frequency: 'once', count: 1 }, today)).toEqual([]);
  });

  it.each([
    [{ startOn: '2027-01-14', frequency: 'weekly' as const }, 'startOn'],
    [{ startOn: '2027-02-30', frequency: 'weekly' as const }, 'startOn'],
    [{ startOn: 'tomorrow', frequency: 'weekly' as const }, 'startOn'],
    [{ startOn: '2033-01-15', frequency: 'weekly' as const }, 'startOn'],
    [{ startOn: today, frequency: 'weekly' as const, count: 0 }, 'count'],
    [{ startOn: today, frequency: 'monthly' as const, count: 601 }, 'count'],
    [{ startOn: today, frequency: 'once' as const, count: 2 }, 'count'],
  ])('refuses %j at %s', (schedule, path) => {
    expect(scheduleProblems(schedule, today).map((problem) => problem.path)).toEqual([path]);
  });
});
