import { Global, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { ormOptions } from './orm-options';
import { SqlPool } from './sql-pool';
import { pgSessionOptions } from './pg-session-options';

/** The one MikroORM connection of a process (feature modules register their entities with forFeature), and the SqlPool for hot-path statements. */
@Global()
@Module({
  imports: [
    MikroOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      driver: PostgreSqlDriver,
      // The api forks the EntityManager per request in a Fastify hook (ormRequestContext), not in a middleware.
      useFactory: (config: AppConfig) => {
        const { connectionString: _url, ...session } = pgSessionOptions(config);
        return {
          ...ormOptions(config.databaseUrl),
          autoLoadEntities: true,
          registerRequestContext: false,
          // knex: the session's timeouts, and how long a query waits for a free pooled connection.
          driverOptions: { connection: session, acquireConnectionTimeout: config.database.connectTimeoutMs },
        };
      },
    }),
  ],
  providers: [SqlPool],
  exports: [SqlPool],
})
export class DbModule {}
