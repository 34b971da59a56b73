import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import * as QRCode from 'qrcode';
import type { TokenResponse } from '@bank/contracts/auth';
import type { MfaStatus, TotpConfirmResponse, TotpSetupResponse } from '@bank/contracts/mfa';
import type { Role } from '@bank/contracts/users';
import { APP_CONFIG } from '@bank/config/config.module';
import type { AppConfig } from '@bank/config/app-config';
import { AccountLocked, Conflict, MfaInvalid, NotFound, PasswordInvalid } from '@bank/problems/domain-error';
import { SecretHasher } from '@bank/users/secret-hasher';
import { UsersService } from '@bank/users/users.service';
import type { User } from '@bank/users/entities/user.entity';
import { AuthService } from './auth.service';
import { Clock } from './clock';
import { FailedSignIns } from './failed-sign-ins';
import { MfaChallengesRepository } from './mfa-challenges.repository';
import { mfaTokenHash } from './mfa-challenges';
import { SecurityTrail } from './security-trail';
import type { SignInOrigin } from './sign-in-watch';
import { TotpFactorsRepository, type TotpFactorRow } from './totp-factors.repository';
import { formatRecoveryCode, newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpTimeStep, totpUri } from './totp';
import { SecurityNotices } from './security-notices';

/** A second factor as a request carries it, normalised by its schema. */
export type SecondFactor = { code: string } | { recoveryCode: string };

/** Thrown inside a transaction to roll back what it did when the second factor turns out wrong. */
class SecondFactorRefused extends Error {}

/**
 * TOTP two-factor sign-in (API.md "Sessions, password, two-factor sign-in"): enrolment (setup,
 * confirm with a first code, ten recovery codes), turning it off, and the second step of a
 * sign-in. Every wrong code counts toward the lockout like a wrong password.
 */
@Injectable()
export class MfaService {
  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly hasher: SecretHasher,
    private readonly factors: TotpFactorsRepository,
    private readonly challenges: MfaChallengesRepository,
    private readonly auth: AuthService,
    private readonly failedSignIns: FailedSignIns,
    private readonly security: SecurityTrail,
    private readonly notices: SecurityNotices,
  ) {}

  async status(userId: string, role: Role): Promise<MfaStatus> {
    const totpEnabled = await this.factors.isActive(userId);
    return { totpEnabled, enrolmentRequired: !totpEnabled && this.staffMustEnrol(role) };
  }

  /** Staff without TOTP reach only enrolment while MFA_REQUIRED_FOR_STAFF is on (the auth guard asks). */
  async enrolmentRequired(userId: string, role: Role): Promise<boolean> {
    return this.staffMustEnrol(role) && !(await this.factors.isActive(userId));
  }

  /** A new secret, pending until confirmed; it replaces a pending one. 409 while TOTP is on. */
  async setup(userId: string): Promise<TotpSetupResponse> {
    const user = await this.userOrNotFound(userId);
    const secret = newTotpSecret();
    if (!(await this.factors.savePending(userId, secret))) throw new Conflict('Two-factor sign-in is already on: turn it off first to set up a new authenticator.');
    const otpauthUrl = totpUri(secret, user.email);
    const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret, otpauthUrl, qrSvg };
  }

  /**
   * The first code from the authenticator turns TOTP on (its step counts as used) and answers ten
   * recovery codes, shown this once and stored as digests; `mfa.enabled` and a notification in the
   * same transaction.
   */
  async confirm(userId: string, code: string, ip: string | null): Promise<TotpConfirmResponse> {
    const nowS = this.nowS();
    return this.em.transactional(async () => {
      const factor = await this.factors.findForUpdate(userId);
      if (!factor) throw new Conflict('There is no authenticator to confirm: start with POST /auth/mfa/totp/setup.');
      if (factor.status === 'active') throw new Conflict('Two-factor sign-in is already on.');
      const timeStep = await totpTimeStep(factor.secret, code, nowS, null);
      if (timeStep === null) throw new MfaInvalid('The code is wrong: enter the code your authenticator app shows now.');
      await this.factors.activate(userId, timeStep);
      const recoveryCodes = newRecoveryCodes();
      await this.factors.replaceRecoveryCodes(userId, recoveryCodes.map((recoveryCode) => recoveryCodeHash(userId, recoveryCode)));
      await this.security.record('mfa.enabled', { userId, ip, detail: { method: 'totp' } });
      await this.notices.notify(userId, {
        kind: 'security.mfa_changed',
        title: 'Two-factor sign-in is on',
        body: 'Signing in now also asks for a code from your authenticator app. If this was not you, contact us at once.',
      });
      return { recoveryCodes: recoveryCodes.map(formatRecoveryCode) };
    });
  }

  /**
   * Turns TOTP off: the password (wrong → 422 `PASSWORD_INVALID`) and a code or recovery code
   * (wrong → 401 `MFA_INVALID`), each failure counted toward the lockout. 409 when it is not on.
   */
  async disable(userId: string, password: string, code: string, ip: string | null): Promise<void> {
    const user = await this.userOrNotFound(userId);
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      const locked = await this.failedSignIns.count(user, { type: 'login.failed', reason: 'wrong password to turn two-factor sign-in off', ip });
      throw locked ? new AccountLocked() : new PasswordInvalid();
    }
    const factor = await this.factors.find(userId);
    if (!factor || factor.status !== 'active') throw new Conflict('Two-factor sign-in is not on.');
    const secondFactor: SecondFactor = /^\d{6}$/.test(code) ? { code } : { recoveryCode: code };
    const accepted = await this.inTransactionUnlessRefused(async () => {
      if (!(await this.acceptSecondFactor(userId, factor, secondFactor, this.nowS()))) throw new SecondFactorRefused();
      await this.factors.remove(userId);
      await this.security.record('mfa.disabled', { userId, ip, detail: { method: 'totp', with: 'code' in secondFactor ? 'code' : 'recovery code' } });
      await this.notices.notify(userId, {
        kind: 'security.mfa_changed',
        title: 'Two-factor sign-in is off',
        body: 'Signing in now asks for your password only. If this was not you, change your password and contact us at once.',
      });
    });
    if (!accepted) await this.refuse(user, secondFactor, 'to turn two-factor sign-in off', ip);
  }

  /**
   * The second step of a sign-in: the mfaToken of the password step (unspent, unexpired) and a
   * code or recovery code. Right → the mfaToken is spent and the tokens come from the same path a
   * password-only sign-in takes; wrong → counted toward the lockout, 401 `MFA_INVALID` (the
   * mfaToken stays usable until it expires), 423 once the user is locked.
   */
  async verify(mfaToken: string, secondFactor: SecondFactor, origin: SignInOrigin): Promise<TokenResponse> {
    const nowMs = this.clock.nowMs();
    const tokenHash = mfaTokenHash(mfaToken);
    const userId = await this.challenges.findLive(tokenHash, nowMs);
    if (!userId) throw new MfaInvalid('This sign-in step expired or was already used: sign in again with your password.');
    const user = await this.users.findById(userId);
    if (!user) throw new MfaInvalid();
    if (user.status === 'locked') throw new AccountLocked();
    const factor = await this.factors.find(userId);
    if (!factor || factor.status !== 'active') throw new MfaInvalid('Two-factor sign-in was turned off meanwhile: sign in again with your password.');
    let spentAlready = false;
    const accepted = await this.inTransactionUnlessRefused(async () => {
      if (!(await this.challenges.redeem(tokenHash, nowMs))) {
        spentAlready = true;
        throw new SecondFactorRefused();
      }
      if (!(await this.acceptSecondFactor(userId, factor, secondFactor, Math.floor(nowMs / 1000)))) throw new SecondFactorRefused();
    });
    if (spentAlready) throw new MfaInvalid('This sign-in step was already used: sign in again with your password.');
    if (!accepted) return this.refuse(user, secondFactor, 'at sign-in', origin.ip);
    return this.auth.startSession(user, origin);
  }

  /** A TOTP code (right within ±1 step, and later than the last accepted) or an unused recovery code, spent in the caller's transaction. */
  private async acceptSecondFactor(userId: string, factor: TotpFactorRow, secondFactor: SecondFactor, nowS: number): Promise<boolean> {
    if ('recoveryCode' in secondFactor) return this.factors.spendRecoveryCode(userId, recoveryCodeHash(userId, secondFactor.recoveryCode));
    const lastTimeStep = factor.last_time_step === null ? null : Number(factor.last_time_step);
    const timeStep = await totpTimeStep(factor.secret, secondFactor.code, nowS, lastTimeStep);
    return timeStep !== null && this.factors.acceptTimeStep(userId, timeStep);
  }

  private async refuse(user: User, secondFactor: SecondFactor, when: string, ip: string | null): Promise<never> {
    const what = 'code' in secondFactor ? 'wrong or reused code' : 'wrong or used recovery code';
    const locked = await this.failedSignIns.count(user, { type: 'mfa.failed', reason: `${what} ${when}`, ip });
    throw locked ? new AccountLocked() : new MfaInvalid();
  }

  /** Runs `work` in a transaction; false (everything rolled back) when it threw SecondFactorRefused. */
  private async inTransactionUnlessRefused(work: () => Promise<void>): Promise<boolean> {
    try {
      await this.em.transactional(work);
      return true;
    } catch (error) {
      if (error instanceof SecondFactorRefused) return false;
      throw error;
    }
  }

  private staffMustEnrol(role: Role): boolean {
    return this.config.mfaRequiredForStaff && role !== 'customer';
  }

  private nowS(): number {
    return Math.floor(this.clock.nowMs() / 1000);
  }

  private async userOrNotFound(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFound('The user');
    return user;
  }
}
