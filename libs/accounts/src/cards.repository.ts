import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { SqlPool } from '@bank/db/sql-pool';
import { Card } from './entities/card.entity';

const RESET_PIN = {
  name: 'cards-reset-pin',
  text: 'update cards set pin_hash = $1, failed_pin_attempts = 0, blocked_at = null, updated_at = now() where owner_id = $2 returning id',
};

/** The `cards` table. (The money path reads a card for its PIN check through its own repository, on its own pool.) */
@Injectable()
export class CardsRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: SqlPool,
  ) {}

  /** Joins the caller's transaction. */
  async insert(ownerId: string, pinHash: string): Promise<Card> {
    const card = this.em.create(Card, { ownerId, pinHash });
    await this.em.persistAndFlush(card);
    return card;
  }

  /** The owner's card gets a new PIN, its failure count cleared and its block lifted; false if the owner has no card. */
  async resetPin(ownerId: string, pinHash: string): Promise<boolean> {
    return (await this.sql.query(RESET_PIN, [pinHash, ownerId])).length > 0;
  }
}
