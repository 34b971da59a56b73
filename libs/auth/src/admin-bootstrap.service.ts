import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CreateRequestContext, MikroORM } from '@mikro-orm/postgresql';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { Conflict } from '@bank/problems/domain-error';
import { UsersService } from '@bank/users/users.service';
import { StaffService } from './staff.service';

/** Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD once; later boots leave it alone. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    // Read by @CreateRequestContext to give this boot-time work its own EntityManager.
    private readonly orm: MikroORM,
    private readonly staff: StaffService,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @CreateRequestContext()
  async onApplicationBootstrap(): Promise<void> {
    const email = this.config.adminEmail;
    if (await this.users.findByEmail(email)) return;
    try {
      await this.staff.createUser({ email, password: this.config.adminPassword, fullName: 'Administrator', role: 'admin' });
      this.logger.log(`created the bootstrap admin ${email}`);
    } catch (error) {
      // Another api process created it at the same moment.
      if (!(error instanceof Conflict)) throw error;
    }
  }
}
