import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { PAYEES_MAX, type CreatePayeeRequest, type PayeeList, type PayeeView } from '@bank/contracts/payees';
import { AccountsService } from '@bank/accounts/accounts.service';
import { Conflict, NotFound } from '@bank/problems/domain-error';
import { PayeesRepository, type PayeeRow } from './payees.repository';

function toView(row: PayeeRow, name: string): PayeeView {
  return { id: row.id, accountNumber: row.account_number, nickname: row.nickname, name, createdAt: new Date(row.created_at).toISOString() };
}

/**
 * A customer's saved payees (API.md "Payees"). Saving one names the holder exactly like
 * `GET /accounts/lookup` (and is refused like it: 404 for a number nobody can receive on); the
 * list reads each holder's current name, masked, so a name change shows at once.
 */
@Injectable()
export class PayeesService {
  constructor(
    private readonly em: EntityManager,
    private readonly payees: PayeesRepository,
    private readonly accounts: AccountsService,
  ) {}

  async list(ownerId: string): Promise<PayeeList> {
    const rows = await this.payees.listOfOwner(ownerId, PAYEES_MAX);
    const names = await this.accounts.maskedHolderNames(rows.map((row) => row.account_number));
    return { items: rows.map((row) => toView(row, names.get(row.account_number) ?? '')) };
  }

  async create(ownerId: string, request: CreatePayeeRequest): Promise<PayeeView> {
    const { name } = await this.accounts.lookup(request.accountNumber);
    const row = await this.em.transactional(async () => {
      await this.payees.lockOwner(ownerId);
      if ((await this.payees.countOfOwner(ownerId)) >= PAYEES_MAX) {
        throw new Conflict(`You have ${PAYEES_MAX} payees, the most there can be: delete one to save another.`);
      }
      return this.payees.insert(randomUUID(), ownerId, request.accountNumber, request.nickname);
    });
    if (!row) throw new Conflict('This account number is already one of your payees.');
    return toView(row, name);
  }

  /** Another customer's payee is "not found" like one that never existed, so ids cannot be probed. */
  async delete(ownerId: string, payeeId: string): Promise<void> {
    if (!(await this.payees.delete(payeeId, ownerId))) throw new NotFound('The payee');
  }
}
