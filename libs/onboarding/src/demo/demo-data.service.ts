import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CreateRequestContext, MikroORM } from '@mikro-orm/postgresql';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { StaffService } from '@bank/auth/staff.service';
import { Conflict } from '@bank/problems/domain-error';
import { RegistrationService } from '../registration.service';
import { DEMO_CUSTOMERS, DEMO_EMPLOYEE, DEMO_PASSWORD, DEMO_PIN } from './demo-users';

/** With DEMO_DATA on: two funded customers, one employee (and the bootstrap admin), then their logins printed. */
@Injectable()
export class DemoDataService implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoDataService.name);

  constructor(
    // Read by @CreateRequestContext.
    private readonly orm: MikroORM,
    private readonly registration: RegistrationService,
    private readonly staff: StaffService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demoData) return;
    await this.seed();
    process.stdout.write(this.banner());
  }

  @CreateRequestContext()
  private async seed(): Promise<void> {
    const created: string[] = [];
    for (const customer of DEMO_CUSTOMERS) {
      if (await this.ignoringExisting(() => this.registration.register({ ...customer, password: DEMO_PASSWORD, pin: DEMO_PIN }))) created.push(customer.email);
    }
    const employee = { ...DEMO_EMPLOYEE, password: DEMO_PASSWORD, role: 'employee' as const };
    if (await this.ignoringExisting(() => this.staff.createUser(employee))) created.push(employee.email);
    if (created.length > 0) this.logger.log(`demo data created: ${created.join(', ')}`);
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
      ...DEMO_CUSTOMERS.map((c) => ['customer', c.email, DEMO_PASSWORD, `card PIN ${DEMO_PIN}, opened with ${(c.initialDeposit / 100).toFixed(2)} USD`]),
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
