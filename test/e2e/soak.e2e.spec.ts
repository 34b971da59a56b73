import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import type { LedgerCheck } from '@bank/contracts/ledger';
import type { TokenResponse } from '@bank/contracts/auth';
import { OPEN_REQUEST_STATUSES } from '@bank/contracts/requests';
import { DEVELOPMENT_SECRETS } from '@bank/config/app-config';
import { sleep } from '../../apps/simulator/src/simulated-client';
import { TrafficSimulator } from '../../apps/simulator/src/traffic-simulator';
import { dropDatabase } from '../../libs/db/src/prepare-database';
import { listenerPid, startNativeStack, type RunningProcess } from '../support/processes';
import { uniqueDatabaseUrl } from '../support/test-env';
import { eventually, LiveClient } from '../support/live-client';
import { TEST_PASSWORD, uniqueEmail } from '../support/test-app';

const ADMIN = { email: 'admin@bankingcore.local', password: DEVELOPMENT_SECRETS.ADMIN_PASSWORD, key: DEVELOPMENT_SECRETS.ADMIN_KEY };

/**
 * Issue 8's scale-out soak: `npm run stack` (2 apis, 2 workers behind the balancer) under the
 * simulator's load for about a minute, while each api and each worker is stopped in turn — once
 * with SIGTERM, once with SIGKILL — and started again by the stack. Afterwards: the ledger
 * balances, every confirmed transfer exists exactly once, every request is final, every watching
 * socket holds exactly the events it was owed, and the metrics read sanely.
 */
describe('scale-out soak: the native stack under load, each process restarted twice', () => {
  const databaseUrl = uniqueDatabaseUrl('soak');
  let stack: RunningProcess;
  let port: number;
  let base: string;
  const watchers: LiveClient[] = [];
  let simulator: TrafficSimulator | undefined;
  beforeAll(async () => {
    ({ stack, port } = await startNativeStack(databaseUrl, {
      LOG_LEVEL: 'error',
      // Rate limits stay on (the simulator's people each come from their own address); the money
      // limit is raised so that the simulated customers' pace is not what is being measured.
      RATE_LIMIT_MONEY_PER_USER: '1000/60',
      REQUEST_SWEEP_AFTER_S: '3',
      REQUEST_SWEEP_INTERVAL_S: '1',
      REQUEST_INPUT_WINDOW_S: '5',
    }));
    base = `http://127.0.0.1:${port}`;
    // Two apis and two workers started and migrated from cold: on a starved 2-core VM that alone can pass a minute.
  }, 120_000);
  afterAll(async () => {
    for (const watcher of watchers) watcher.close();
    simulator?.closeSockets();
    await stack?.stop();
    await dropDatabase(databaseUrl);
  });

  const post = async <T>(path: string, body: object, token?: string): Promise<T> => {
    const response = await fetch(`${base}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    expect(response.status).toBeLessThan(300);
    return (await response.json()) as T;
  };
  const get = async <T>(path: string, token: string): Promise<T> => (await (await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;

  /** The oldest worker process of the stack (they are stopped in turn, so "oldest" cycles through both). */
  const oldestWorker = () => Number(execFileSync('pgrep', ['-o', '-P', String(stack.pid), '-f', 'worker/src/main.js']).toString().trim());
  const workerCount = () => {
    try {
      return execFileSync('pgrep', ['-P', String(stack.pid), '-f', 'worker/src/main.js']).toString().trim().split('\n').length;
    } catch {
      return 0;
    }
  };
  const apiAnswers = async (apiPort: number) => (await fetch(`http://127.0.0.1:${apiPort}/health/live`).catch(() => null))?.ok === true;

  const restarts = () => (stack.output.match(/starting it again/g) ?? []).length;
  /** Stops one process with `signal` and waits until the stack has started it again and it is back at work. */
  async function restart(target: 'api-1' | 'api-2' | 'worker', signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const before = restarts();
    const apiPort = target === 'worker' ? null : port + Number(target.slice(-1));
    process.kill(apiPort === null ? oldestWorker() : listenerPid(apiPort), signal);
    await eventually(() => restarts() > before, `the stack to notice the ${signal}`, 30_000);
    if (apiPort === null) await eventually(() => workerCount() === 2, 'the worker to be started again', 10_000);
    else await eventually(() => apiAnswers(apiPort), `${target} to answer again`, 30_000);
  }

  it('nothing is lost, doubled or left behind, and every watcher got every event it was owed', async () => {
    const admin = await post<TokenResponse>('/auth/login', { email: ADMIN.email, password: ADMIN.password });
    const employeeEmail = uniqueEmail('soak-employee');
    await post('/admin/staff', { email: employeeEmail, password: TEST_PASSWORD, fullName: 'Soak Watcher', role: 'employee' }, admin.accessToken);
    const employee = await post<TokenResponse>('/auth/login', { email: employeeEmail, password: TEST_PASSWORD });
    // Staff watchers: the employee sees every request change, the admin every security event.
    // From event 0, so each is owed every event of its recipients, including those from before it connected.
    watchers.push(await LiveClient.resuming(base, employee.accessToken, '0'), await LiveClient.resuming(base, admin.accessToken, '0'));

    simulator = new TrafficSimulator({ baseUrl: base, customers: 12, actionsPerSecond: 25, employees: 2, guessesPerSecond: 2, sockets: 4, admin: ADMIN });
    await simulator.prepare();
    simulator.start();
    const schedule: Array<['api-1' | 'api-2' | 'worker', 'SIGTERM' | 'SIGKILL']> = [
      ['api-1', 'SIGTERM'],
      ['worker', 'SIGTERM'],
      ['api-2', 'SIGTERM'],
      ['worker', 'SIGTERM'],
      ['api-1', 'SIGKILL'],
      ['worker', 'SIGKILL'],
      ['api-2', 'SIGKILL'],
      ['worker', 'SIGKILL'],
    ];
    const started = Date.now();
    for (const [target, signal] of schedule) {
      await sleep(2_500);
      await restart(target, signal);
    }
    await sleep(Math.max(3_000, 35_000 - (Date.now() - started)));
    await simulator.stop(); // the simulator's sockets stay open: they are checked below
    const { totals } = simulator;

    // Money calls are repeated with their key until answered: none may fail for good, none may be a 500.
    expect(totals.failures.filter((failure) => /^(transfer|deposit|withdrawal) /.test(failure))).toEqual([]);
    expect(totals.failures.filter((failure) => /INTERNAL_ERROR/.test(failure))).toEqual([]);
    expect(totals.transfers).toBeGreaterThan(300);
    expect(restarts()).toBe(schedule.length);

    const database = new Client({ connectionString: databaseUrl });
    await database.connect();
    try {
      const rows = async <T>(sql: string, params: unknown[] = []) => (await database.query(sql, params)).rows as T[];

      // Every confirmed transfer is in the ledger exactly once (its description carries its key).
      const transfers = await rows<{ id: string; description: string }>(`select id, description from ledger_transactions where kind = 'transfer'`);
      const byKey = new Map<string, string[]>();
      for (const transfer of transfers) byKey.set(transfer.description, [...(byKey.get(transfer.description) ?? []), transfer.id]);
      for (const accepted of simulator.acceptedTransfers) expect(byKey.get(accepted.idempotencyKey)).toEqual([accepted.transactionId]);
      expect([...byKey.values()].filter((ids) => ids.length > 1)).toEqual([]);

      const ledger = await get<LedgerCheck>('/admin/ledger/check', admin.accessToken);
      expect(ledger).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [], unbalancedTransactions: [], negativeBalances: [] });

      // Every request reaches a final state (the sweep re-enqueues what a killed process dropped).
      expect(await simulator.settleRequests(45_000)).toBe(0);
      const open = async () => (await rows<{ n: number }>(`select count(*)::int as n from service_requests where status = any($1)`, [OPEN_REQUEST_STATUSES]))[0].n;
      await eventually(async () => (await open()) === 0, 'every request in the database to be final', 30_000);
      expect(totals.requestsFiled).toBeGreaterThan(20);

      // Every watching socket holds exactly the events owed to it: no gap, no duplicate, in order.
      await eventually(async () => (await rows<{ n: number }>(`select count(*)::int as n from outbox_events where event_seq is null or event_seq > (select published_seq from outbox_relay_progress)`))[0].n === 0, 'the outbox to be published', 30_000);
      const streams = [
        ...simulator.liveStreams().map((stream) => ({ who: `customer ${stream.userId}`, recipients: [`user:${stream.userId}`], ids: () => stream.eventIds, state: () => ({ connected: stream.connected, disconnects: stream.disconnects }) })),
        ...[employee, admin].map((staff, i) => ({
          who: i === 0 ? 'the employee' : 'the admin',
          recipients: [`user:${staff.user.id}`, i === 0 ? 'role:employee' : 'role:admin'],
          ids: () => watchers[i].events.map((event) => event.id),
          state: () => ({ connected: watchers[i].socket.connected, disconnects: watchers[i].disconnects }),
        })),
      ];
      for (const stream of streams) {
        const owed = (await rows<{ id: string }>(`select event_seq::text as id from outbox_events where recipient = any($1) and event_seq is not null order by event_seq`, [stream.recipients])).map((row) => row.id);
        await eventually(() => stream.ids().length >= owed.length, `${stream.who} to receive the ${owed.length} events owed`, 15_000).catch(() => undefined);
        const received = stream.ids();
        const missing = owed.filter((id) => !received.includes(id));
        const unowed = received.filter((id) => !owed.includes(id));
        expect({ who: stream.who, missing, unowed, inOrder: received.join() === owed.join(), ...stream.state() }).toEqual({ who: stream.who, missing: [], unowed: [], inOrder: true, ...stream.state() });
        expect(owed.length).toBeGreaterThan(0);
      }
      expect(watchers.every((watcher) => watcher.disconnects.length > 0)).toBe(true); // each lived through an api restart

      // The metrics of each api read sanely after all this.
      for (const apiPort of [port + 1, port + 2]) {
        const metrics = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
        const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"=,]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(metrics)?.[1]);
        expect(value('bankingcore_outbox_lag_seconds')).toBeLessThan(5);
        expect(value('bankingcore_sockets_connected')).toBeGreaterThanOrEqual(0);
        expect(value('bankingcore_lockouts')).toBeGreaterThan(0); // the attacker's victims
        expect(metrics).toMatch(/^bankingcore_http_request_duration_seconds_count\{.*\} [1-9]/m);
        expect(metrics).toMatch(/^bankingcore_queue_jobs\{queue="request-triage",state="waiting"\} 0$/m);
        expect(metrics).toMatch(/^bankingcore_queue_jobs_finished\{queue="request-fulfilment",outcome="completed"\} [1-9]/m);
      }
    } finally {
      await database.end();
    }
  }, 180_000);
});
