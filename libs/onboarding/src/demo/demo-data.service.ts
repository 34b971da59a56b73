import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CreateRequestContext, EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { CreateRequestSchema } from '@bank/contracts/requests';
import { LOCKOUT_THRESHOLD } from '@bank/contracts/security';
import { StaffService } from '@bank/auth/staff.service';
import { UsersService } from '@bank/users/users.service';
import { AccountsService } from '@bank/accounts/accounts.service';
import { LedgerService } from '@bank/ledger/ledger.service';
import { BackdatedPostingsService } from '@bank/ledger/backdated/backdated-postings.service';
import { SecurityEventsService } from '@bank/security/security-events.service';
import { RequestsService } from '@bank/requests/requests.service';
import { PayeesService } from '@bank/payees/payees.service';
import { SchedulesService } from '@bank/schedules/schedules.service';
import { SqlPool } from '@bank/db/sql-pool';
import { Conflict, DomainError } from '@bank/problems/domain-error';
import { RegistrationService } from '../registration.service';
import { DEMO_CUSTOMERS, DEMO_EMPLOYEE, DEMO_HISTORY_DAYS, DEMO_PASSWORD, DEMO_PIN } from './demo-users';
import { demoHistory } from './demo-history';

interface DemoPerson {
  userId: string;
  email: string;
  accountId: string;
  accountNumber: string;
}

/** Idempotency-Keys of the demo's own requests and held transfer: a restart replays them instead of filing again. */
const DEMO_KEY = 'demo-data-2026';
const HOUR_S = 3_600;
/** Addresses from the documentation ranges (RFC 5737): nobody's real ones. */
const DEMO_IPS = ['203.0.113.24', '198.51.100.9', '203.0.113.77'] as const;

/**
 * With DEMO_DATA on: six customers with five weeks of history (opening deposits, salaries, rent,
 * withdrawals, transfers among them), open service requests of several types (two overdue), a
 * transfer held for review, a few security events (failed sign-ins, one customer locked out), one
 * employee (and the bootstrap admin); then their logins printed. Every part is made once: users
 * by their unique emails, the history under an advisory lock and only onto accounts without
 * entries, the requests and the held transfer by Idempotency-Keys, the security events with the
 * history — so restarts and several api processes starting at once make it exactly once.
 */
@Injectable()
export class DemoDataService implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoDataService.name);

  constructor(
    // Read by @CreateRequestContext.
    private readonly orm: MikroORM,
    private readonly em: EntityManager,
    private readonly registration: RegistrationService,
    private readonly staff: StaffService,
    private readonly users: UsersService,
    private readonly accounts: AccountsService,
    private readonly ledger: LedgerService,
    private readonly backdated: BackdatedPostingsService,
    private readonly requests: RequestsService,
    private readonly security: SecurityEventsService,
    private readonly payees: PayeesService,
    private readonly schedules: SchedulesService,
    private readonly sql: SqlPool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demoData) return;
    await this.seed();
    process.stdout.write(this.banner());
  }

  /** Everything above; safe to call again (it then adds nothing). */
  @CreateRequestContext()
  async seed(): Promise<void> {
    const created: string[] = [];
    const people: DemoPerson[] = [];
    for (const customer of DEMO_CUSTOMERS) {
      if (await this.ignoringExisting(() => this.registration.register({ email: customer.email, fullName: customer.fullName, password: DEMO_PASSWORD, pin: DEMO_PIN }))) {
        created.push(customer.email);
      }
      people.push(await this.person(customer.email));
    }
    const employee = { ...DEMO_EMPLOYEE, password: DEMO_PASSWORD, role: 'employee' as const };
    if (await this.ignoringExisting(() => this.staff.createUser(employee))) created.push(employee.email);

    const historyPosted = await this.postHistory(people);
    if (historyPosted) {
      created.push(`${DEMO_HISTORY_DAYS} days of history`);
      await this.recordSecurityEvents(people);
    }
    await this.fileRequests(people);
    await this.holdTransfer(people);
    if (await this.savePayeesAndSchedules(people)) created.push('payees and scheduled transfers');
    if (created.length > 0) this.logger.log(`demo data created: ${created.join(', ')}`);
  }

  private async person(email: string): Promise<DemoPerson> {
    const user = await this.users.findByEmail(email);
    if (!user) throw new Error(`demo user ${email} is missing`);
    const [account] = await this.accounts.viewsForOwner(user.id);
    return { userId: user.id, email, accountId: account.id, accountNumber: account.number };
  }

  private postHistory(people: readonly DemoPerson[]): Promise<boolean> {
    const postings = demoHistory(DEMO_CUSTOMERS).map((move) => ({
      kind: move.kind,
      debitAccountId: move.from === null ? null : people[move.from].accountId,
      creditAccountId: move.to === null ? null : people[move.to].accountId,
      amount: move.amount,
      description: move.description,
      initiatedBy: people[move.from ?? move.to ?? 0].userId,
      at: move.at,
    }));
    return this.backdated.postOnce('bankingcore:demo-history', postings);
  }

  /** Open requests of several types; the first two filed long enough ago to be overdue (past a day). */
  private async fileRequests(people: readonly DemoPerson[]): Promise<void> {
    const [alice, bob, carol, dave, erin] = people;
    const requests = [
      { who: alice, ageS: 30 * HOUR_S, body: { type: 'limit_increase', accountId: alice.accountId, details: { dailyLimit: 2_500_000 } } },
      { who: bob, ageS: 52 * HOUR_S, body: { type: 'kyc_update', details: { address: '7 Harbour Lane, Portsmouth', phone: '+44 23 9200 0000' } } },
      { who: carol, ageS: 3 * HOUR_S, body: { type: 'card_pin_reset', details: {} } },
      { who: dave, ageS: 40 * 60, body: { type: 'name_change', details: {} } },
      { who: erin, ageS: 10 * 60, body: { type: 'account_freeze', accountId: erin.accountId, details: {} } },
    ];
    for (const { who, ageS, body } of requests) {
      const filed = await this.requests.create(who.userId, CreateRequestSchema.parse(body), `${DEMO_KEY}:${body.type}`);
      // Triage inline as well as queued: the demo's queue is full before a worker picks the jobs up.
      await this.requests.triage(filed.body.id);
      if (!filed.replayed) await this.requests.backdateForDemo(filed.body.id, ageS);
    }
  }

  /** A transfer above REVIEW_AMOUNT through the money path: a real hold with its review request. */
  private async holdTransfer(people: readonly DemoPerson[]): Promise<void> {
    const reviewAmount = this.config.review.amount;
    if (reviewAmount === null) return this.logger.log('REVIEW_AMOUNT is off: the demo holds no transfer');
    const [, , carol, dave] = people;
    try {
      await this.transferAbove(reviewAmount, carol, dave);
    } catch (error) {
      // A REVIEW_AMOUNT changed since the first start makes the same key carry another amount: keep the first hold, start anyway.
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn(`the demo's held transfer was not made again: ${error.message}`);
    }
  }

  private async transferAbove(reviewAmount: number, carol: DemoPerson, dave: DemoPerson): Promise<void> {
    await this.ledger.transfer(
      carol.userId,
      { fromAccountId: carol.accountId, toAccountNumber: dave.accountNumber, amount: reviewAmount + 25_000, description: 'Car purchase — deposit' },
      `${DEMO_KEY}:held-transfer`,
    );
  }

  /**
   * Alice's saved payees (Bob, Erin) and her standing orders: rent to Bob on the 1st of every month
   * from next month, piano lessons to Dave weekly from tomorrow, ten times. The schedules are made
   * under an advisory lock and only when she has none, so two first starts make them once.
   */
  private async savePayeesAndSchedules(people: readonly DemoPerson[]): Promise<boolean> {
    const [alice, bob, , dave, erin] = people;
    let created = false;
    for (const [payee, nickname] of [
      [bob, 'Bob (flatmate)'],
      [erin, 'Erin (book club)'],
    ] as const) {
      if (await this.ignoringExisting(() => this.payees.create(alice.userId, { accountNumber: payee.accountNumber, nickname }))) created = true;
    }
    const now = new Date();
    const firstOfNextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString().slice(0, 10);
    return this.sql.transaction(async () => {
      await this.sql.query({ name: 'demo-schedules-lock', text: "select pg_advisory_xact_lock(hashtext('bankingcore:demo-schedules'))" }, []);
      if ((await this.schedules.list(alice.userId, { limit: 1 })).items.length > 0) return created;
      const from = { fromAccountId: alice.accountId };
      await this.schedules.create(alice.userId, { ...from, toAccountNumber: bob.accountNumber, amount: 65_000, description: 'Rent share', startOn: firstOfNextMonth, frequency: 'monthly' });
      await this.schedules.create(alice.userId, { ...from, toAccountNumber: dave.accountNumber, amount: 4_500, description: 'Piano lessons', startOn: tomorrow, frequency: 'weekly', count: 10 });
      return true;
    });
  }

  /** As the sign-in path records them: a few failed sign-ins, an unknown email, a rate limit, and Frank locked out. */
  private async recordSecurityEvents(people: readonly DemoPerson[]): Promise<void> {
    const bob = people[1];
    for (let i = 0; i < 2; i++) await this.failedLogin(bob, DEMO_IPS[0]);
    await this.security.record('login.failed', { ip: DEMO_IPS[1], detail: { email: 'mallory@example.com', reason: 'unknown email' } });
    await this.security.record('rate_limited', { ip: DEMO_IPS[1], detail: { limit: 'login-ip', method: 'POST', path: '/api/v1/auth/login' } });
    const lockedOut = DEMO_CUSTOMERS.findIndex((customer) => customer.locked);
    if (lockedOut >= 0) for (let i = 0; i < LOCKOUT_THRESHOLD; i++) await this.failedLogin(people[lockedOut], DEMO_IPS[2]);
  }

  /** What AuthService.login writes for a wrong password, in one transaction. */
  private failedLogin(person: DemoPerson, ip: string): Promise<void> {
    return this.em.transactional(async () => {
      const outcome = await this.users.countFailedLogin(person.userId, LOCKOUT_THRESHOLD);
      await this.security.record('login.failed', { userId: person.userId, ip, detail: { email: person.email, reason: 'wrong password', failedLogins: outcome.failedLogins } });
      if (!outcome.lockedNow) return;
      await this.security.record('account.locked', { userId: person.userId, ip, detail: { email: person.email, reason: `${LOCKOUT_THRESHOLD} failed logins in a row` } });
      const user = await this.users.view(person.userId);
      if (user) await this.security.announceUser('user.locked', user);
    });
  }

  /** True if created; false if a previous start (or another process) already made it. */
  private async ignoringExisting(create: () => Promise<unknown>): Promise<boolean> {
    try {
      await create();
      return true;
    } catch (error) {
      if (error instanceof Conflict) return false;
      throw error;
    }
  }

  private banner(): string {
    const base = `http://localhost:${this.config.port}`;
    const rows = [
      ...DEMO_CUSTOMERS.map((c) => ['customer', c.email, DEMO_PASSWORD, c.locked ? 'locked out: unlock him as the admin' : `card PIN ${DEMO_PIN}, opened with ${(c.initialDeposit / 100).toFixed(2)} USD`]),
      ['employee', DEMO_EMPLOYEE.email, DEMO_PASSWORD, ''],
      ['admin', this.config.adminEmail, this.config.defaultedSecrets.includes('ADMIN_PASSWORD') ? this.config.adminPassword : '(ADMIN_PASSWORD)', this.config.defaultedSecrets.includes('ADMIN_KEY') ? `admin key ${this.config.adminKey}` : 'admin key (ADMIN_KEY)'],
    ];
    const lines = rows.map(([role, email, password, extra]) => `  ${role.padEnd(9)} ${email.padEnd(34)} ${password.padEnd(24)} ${extra}`.trimEnd());
    return [
      '',
      '==================================================================================',
      ` BankingCore demo — ${base}   (API docs: ${base}/api/docs)`,
      '----------------------------------------------------------------------------------',
      `  ${'role'.padEnd(9)} ${'email'.padEnd(34)} ${'password'.padEnd(24)}`,
      ...lines,
      '==================================================================================',
      '',
    ].join('\n');
  }
}
