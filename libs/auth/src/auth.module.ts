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
import { AuthController } from './auth.controller';
import { StaffController } from './staff.controller';
import { AdminBootstrapService } from './admin-bootstrap.service';

@Module({
  imports: [
    MikroOrmModule.forFeature([RefreshToken]),
    UsersModule,
    JwtModule.registerAsync({ inject: [APP_CONFIG], useFactory: (config: AppConfig) => ({ secret: config.jwtSecret }) }),
    AccountsModule,
    LedgerModule,
  ],
  providers: [TokenService, AuthService, AdminBootstrapService, { provide: APP_GUARD, useClass: AuthGuard }],
  controllers: [AuthController, StaffController],
  exports: [AuthService, TokenService],
})
export class AuthModule {}
