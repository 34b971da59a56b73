import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

export interface PayeeRow {
  id: string;
  account_number: string;
  nickname: string;
  created_at: Date;
}

const COLUMNS = 'id, account_number::text as account_number, nickname, created_at';

/** The `payees` table (migration Payees). Statements join the caller's transaction. */
@Injectable()
export class PayeesRepository {
  constructor(private readonly em: EntityManager) {}

  /** The owner's payees, newest first. */
  listOfOwner(ownerId: string, limit: number): Promise<PayeeRow[]> {
    return this.em.execute<PayeeRow[]>(`select ${COLUMNS} from payees where owner_id = ? order by created_at desc, id desc limit ?`, [ownerId, limit]);
  }

  /**
   * Holds the owner's payee list still until the transaction ends, so that a count and the insert
   * after it are not raced by the owner's other requests (the cap stays exact).
   */
  async lockOwner(ownerId: string): Promise<void> {
    await this.em.execute(`select pg_advisory_xact_lock(hashtextextended('payees:' || ?, 0))`, [ownerId]);
  }

  async countOfOwner(ownerId: string): Promise<number> {
    const [row] = await this.em.execute<Array<{ n: number }>>('select count(*)::int as n from payees where owner_id = ?', [ownerId]);
    return row.n;
  }

  /** The new row, or null when the owner already has this number. */
  async insert(id: string, ownerId: string, accountNumber: string, nickname: string): Promise<PayeeRow | null> {
    // ON CONFLICT instead of catching the unique violation: a failed statement would abort the transaction.
    const [row] = await this.em.execute<PayeeRow[]>(
      `insert into payees (id, owner_id, account_number, nickname) values (?, ?, ?, ?)
       on conflict (owner_id, account_number) do nothing returning ${COLUMNS}`,
      [id, ownerId, accountNumber, nickname],
    );
    return row ?? null;
  }

  /** True when the owner had this payee (it is gone now). */
  async delete(id: string, ownerId: string): Promise<boolean> {
    const rows = await this.em.execute<Array<{ id: string }>>('delete from payees where id = ? and owner_id = ? returning id', [id, ownerId]);
    return rows.length > 0;
  }
}
