import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { UsersModule } from '@bank/users/users.module';
import { OutboxModule } from '@bank/outbox/outbox.module';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { RefreshToken } from './entities/refresh-token.entity';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { TokenService } from './token.service';
import { AuthService } from './auth.service';
import { StaffService } from './staff.service';
import { AuthGuard } from './auth.guard';
import { TokenRevocations } from './token-revocations';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { PasswordService } from './password.service';
import { FailedSignIns } from './failed-sign-ins';
import { SessionsController } from './sessions.controller';
import { AuthController } from './auth.controller';
import { StaffController } from './staff.controller';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { Clock, SystemClock } from './clock';
import { MfaChallenges } from './mfa-challenges';
import { MfaChallengesRepository } from './mfa-challenges.repository';
import { MfaController } from './mfa.controller';
import { MfaService } from './mfa.service';
import { TotpFactorsRepository } from './totp-factors.repository';

/**
 * Identity: tokens, the global auth guard, sessions (sign-in, refresh, sign-out, the list a user
 * sees and ends, revocation on every process), password change, TOTP two-factor sign-in, staff
 * accounts. Its security events go to the SecurityTrail port, its routes' limits to the RateLimiter
 * port, both provided app-wide by the security library, and its notices to users to the
 * SecurityNotices port, provided by the notifications library (identity imports no feature library).
 */
@Module({
  imports: [
    MikroOrmModule.forFeature([RefreshToken]),
    UsersModule,
    OutboxModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      // A KeyObject, not a string: jsonwebtoken otherwise first tries the string as a PEM key and
      // throws on every verification (~0.7 ms each on the hot path).
      useFactory: (config: AppConfig) => ({ secret: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')) }),
    }),
  ],
  providers: [
    RefreshTokensRepository,
    SessionsRepository,
    TokenService,
    TokenRevocations,
    SessionsService,
    { provide: Clock, useClass: SystemClock },
    FailedSignIns,
    TotpFactorsRepository,
    MfaChallengesRepository,
    MfaChallenges,
    MfaService,
    AuthService,
    PasswordService,
    StaffService,
    AdminBootstrapService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  controllers: [AuthController, SessionsController, MfaController, StaffController],
  exports: [TokenService, StaffService, TokenRevocations, SessionsService, AuthService, MfaService],
})
export class AuthModule {}
