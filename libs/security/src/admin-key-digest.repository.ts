import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** The admin_key_digest table: one row, the Argon2id hash of the ADMIN_KEY the api processes run with. */
@Injectable()
export class AdminKeyDigestRepository {
  constructor(private readonly em: EntityManager) {}

  async find(): Promise<string | null> {
    const [row] = await this.em.getConnection().execute<Array<{ digest: string }>>('select digest from admin_key_digest');
    return row?.digest ?? null;
  }

  async store(digest: string): Promise<void> {
    await this.em
      .getConnection()
      .execute('insert into admin_key_digest (digest) values (?) on conflict (singleton) do update set digest = excluded.digest, recorded_at = now()', [digest]);
  }
}
