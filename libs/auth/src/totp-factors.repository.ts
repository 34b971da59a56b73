import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

export interface TotpFactorRow {
  secret: string;
  status: 'pending' | 'active';
  /** The newest time step accepted (a string: bigint), null before the first. */
  last_time_step: string | null;
}

/** The totp_factors and mfa_recovery_codes tables (migration Mfa). Every call joins the caller's transaction, if any. */
@Injectable()
export class TotpFactorsRepository {
  constructor(private readonly em: EntityManager) {}

  async isActive(userId: string): Promise<boolean> {
    const rows = await this.em.execute<Array<{ active: boolean }>>(`select true as active from totp_factors where user_id = ? and status = 'active'`, [userId]);
    return rows.length > 0;
  }

  async find(userId: string): Promise<TotpFactorRow | null> {
    const [row] = await this.em.execute<TotpFactorRow[]>('select secret, status, last_time_step from totp_factors where user_id = ?', [userId]);
    return row ?? null;
  }

  /** Locked until the transaction ends: a confirm or a disable of the same user waits. */
  async findForUpdate(userId: string): Promise<TotpFactorRow | null> {
    const [row] = await this.em.execute<TotpFactorRow[]>('select secret, status, last_time_step from totp_factors where user_id = ? for update', [userId]);
    return row ?? null;
  }

  /** A new pending secret, replacing a pending one; false (nothing written) when TOTP is active. */
  async savePending(userId: string, secret: string): Promise<boolean> {
    const rows = await this.em.execute<Array<{ user_id: string }>>(
      `insert into totp_factors (user_id, secret, status) values (?, ?, 'pending')
       on conflict (user_id) do update set secret = excluded.secret, created_at = now(), last_time_step = null
         where totp_factors.status = 'pending'
       returning user_id`,
      [userId, secret],
    );
    return rows.length > 0;
  }

  /** The pending secret becomes the active one, its confirming code's step the last accepted; false when it was not pending. */
  async activate(userId: string, timeStep: number): Promise<boolean> {
    const rows = await this.em.execute<Array<{ user_id: string }>>(
      `update totp_factors set status = 'active', enabled_at = now(), last_time_step = ? where user_id = ? and status = 'pending' returning user_id`,
      [timeStep, userId],
    );
    return rows.length > 0;
  }

  /**
   * Accepts a code's time step once: only a step later than the last accepted one is written, in
   * one conditional update, so two api processes given the same code cannot both accept it.
   */
  async acceptTimeStep(userId: string, timeStep: number): Promise<boolean> {
    const rows = await this.em.execute<Array<{ user_id: string }>>(
      `update totp_factors set last_time_step = ?
        where user_id = ? and status = 'active' and (last_time_step is null or last_time_step < ?)
       returning user_id`,
      [timeStep, userId, timeStep],
    );
    return rows.length > 0;
  }

  /** TOTP off: the factor and every recovery code go. */
  async remove(userId: string): Promise<void> {
    await this.em.execute('delete from mfa_recovery_codes where user_id = ?', [userId]);
    await this.em.execute('delete from totp_factors where user_id = ?', [userId]);
  }

  async replaceRecoveryCodes(userId: string, codeHashes: readonly string[]): Promise<void> {
    await this.em.execute('delete from mfa_recovery_codes where user_id = ?', [userId]);
    if (codeHashes.length === 0) return;
    await this.em.execute(
      `insert into mfa_recovery_codes (user_id, code_hash) values ${codeHashes.map(() => '(?, ?)').join(', ')}`,
      codeHashes.flatMap((codeHash) => [userId, codeHash]),
    );
  }

  /** Spends an unused recovery code; false when there is none with this digest (wrong, or used already). */
  async spendRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const rows = await this.em.execute<Array<{ user_id: string }>>(
      'update mfa_recovery_codes set used_at = now() where user_id = ? and code_hash = ? and used_at is null returning user_id',
      [userId, codeHash],
    );
    return rows.length > 0;
  }
}
