import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { ormOptions } from './orm-options';

/** The one MikroORM connection of a process; feature modules register their entities with forFeature. */
@Module({
  imports: [
    MikroOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      driver: PostgreSqlDriver,
      useFactory: (config: AppConfig) => ({ ...ormOptions(config.databaseUrl), autoLoadEntities: true, registerRequestContext: true, forRoutesPath: '{*path}' }),
    }),
  ],
})
export class DbModule {}
