import type { LedgerCheck } from '@bank/contracts/ledger';
import { bearer, type TestCustomer } from '../support/test-app';
import { LiveStack } from '../support/live-stack';
import { eventually } from '../support/live-client';

const CUSTOMERS = 8;
const SCHEDULES_EACH = 4;
const RUNS_EACH = 8;
const SCHEDULES = CUSTOMERS * SCHEDULES_EACH;
const RUNS = SCHEDULES * RUNS_EACH;

/**
 * Exactly once through a worker crash (docs/architecture.md "Scheduled transfers"): many weekly
 * schedules whose 8 dates all passed while no worker ran; the built worker catches them up, is
 * killed with SIGKILL once some runs are recorded, and a new one finishes. Every date of every
 * schedule is paid once and recorded once, and the ledger stays balanced.
 */
describe('a worker killed while it runs scheduled transfers', () => {
  let stack: LiveStack;
  beforeAll(async () => {
    // The repeatable tick waits an hour: each worker's start sweep does the catching up.
    stack = await LiveStack.start('schedule-kill', { SCHEDULE_SWEEP_INTERVAL_S: '3600' });
  });
  afterAll(() => stack?.stop());

  const count = async (sql: string): Promise<number> => Number((await stack.app.sql<{ n: string }>(sql))[0].n);
  const runRows = () => count('select count(*) as n from scheduled_transfer_runs');

  it('pays each date exactly once after a SIGKILL and a restart', async () => {
    const t = stack.app;
    // Schedules are created while the first worker runs, then it stops: their dates pass "during downtime".
    await stack.workers[0].stop();
    const receiver = await t.newCustomer();
    const senders: TestCustomer[] = await Promise.all(Array.from({ length: CUSTOMERS }, () => t.newFundedCustomer(1_000_000)));
    let index = 0;
    for (const sender of senders) {
      for (let i = 0; i < SCHEDULES_EACH; i++, index++) {
        await t
          .http()
          .post('/api/v1/scheduled-transfers')
          .set(bearer(sender.accessToken))
          .send({ fromAccountId: sender.accountId, toAccountNumber: receiver.accountNumber, amount: 100 + index, description: `sched-${index}`, startOn: '2030-01-01', frequency: 'weekly', count: RUNS_EACH })
          .expect(201);
      }
    }
    // Started 8 weeks ago: every one of the 8 dates is due now.
    await t.sql(`update scheduled_transfers set start_on = current_date - ${7 * RUNS_EACH}, next_run_on = current_date - ${7 * RUNS_EACH}`);

    const doomed = await stack.startRelay();
    await eventually(async () => (await runRows()) >= RUNS / 8, 'some runs recorded before the kill', 30_000);
    doomed.kill('SIGKILL');
    expect((await doomed.exited).signal).toBe('SIGKILL');
    const recordedAtKill = await runRows();
    expect(recordedAtKill).toBeLessThan(RUNS);

    await stack.startRelay();
    await eventually(async () => (await runRows()) === RUNS, 'every run recorded after the restart', 60_000);

    // One run row per schedule and date (the primary key), all posted, every schedule finished.
    expect(await count(`select count(*) as n from scheduled_transfer_runs where outcome = 'posted'`)).toBe(RUNS);
    expect(await count(`select count(*) as n from scheduled_transfers where status = 'finished' and runs_made = ${RUNS_EACH}`)).toBe(SCHEDULES);
    // One ledger transaction per run, and each run names its own.
    const perSchedule = await t.sql<{ description: string; n: string }>(`select description, count(*) as n from ledger_transactions where description like 'sched-%' group by description`);
    expect(perSchedule).toHaveLength(SCHEDULES);
    expect(perSchedule.filter((row) => Number(row.n) !== RUNS_EACH)).toEqual([]);
    expect(await count('select count(distinct transaction_id) as n from scheduled_transfer_runs')).toBe(RUNS);
    expect(await count(`select count(*) as n from scheduled_transfer_runs r join ledger_transactions t on t.id = r.transaction_id`)).toBe(RUNS);
    const expectedTotal = Array.from({ length: SCHEDULES }, (_, i) => (100 + i) * RUNS_EACH).reduce((sum, amount) => sum + amount, 0);
    expect(await t.balanceOf(receiver.accountId)).toBe(expectedTotal);

    const admin = await t.admin();
    const check = (await t.http().get('/api/v1/admin/ledger/check').set(bearer(admin.accessToken)).expect(200)).body as LedgerCheck;
    expect(check).toMatchObject({ balanced: true, mismatches: [], unbalancedTransactions: [], negativeBalances: [] });
  });
});
