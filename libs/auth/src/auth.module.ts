import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { UsersModule } from '@bank/users/users.module';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { AccountsModule } from '@bank/accounts/accounts.module';
import { LedgerModule } from '@bank/ledger/ledger.module';
import { RefreshToken } from './entities/refresh-token.entity';
import { TokenService } from './token.service';
import { AuthService } from './auth.service';
import { AuthGuard } from './auth.guard';
import { LockedUsers } from './locked-users';
import { SecurityModule } from '@bank/security/security.module';
import { AuthController } from './auth.controller';
import { StaffController } from './staff.controller';
import { AdminBootstrapService } from './admin-bootstrap.service';

@Module({
  imports: [
    MikroOrmModule.forFeature([RefreshToken]),
    UsersModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      // A KeyObject, not a string: jsonwebtoken otherwise first tries the string as a PEM key and
      // throws on every verification (~0.7 ms each on the hot path).
      useFactory: (config: AppConfig) => ({ secret: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')) }),
    }),
    AccountsModule,
    LedgerModule,
    SecurityModule,
  ],
  providers: [TokenService, AuthService, AdminBootstrapService, LockedUsers, { provide: APP_GUARD, useClass: AuthGuard }],
  controllers: [AuthController, StaffController],
  exports: [AuthService, TokenService, LockedUsers],
})
export class AuthModule {}
