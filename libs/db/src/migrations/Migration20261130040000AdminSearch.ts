import { Migration } from '@mikro-orm/migrations';

/**
 * The admin's user search (`GET /admin/users?q=`): a case-insensitive part of the email or the
 * name. `ILIKE '%text%'` cannot use a btree; trigram GIN indexes answer it for three or more
 * characters (shorter text scans, which a users table affords). `fastupdate = off`: a new user
 * goes into the index at once rather than into GIN's pending list, which every search would
 * otherwise read linearly until a vacuum (registration is Argon2-bound; the extra insert cost is
 * noise there). An account number is matched exactly through `accounts_number_unique`, and paging
 * walks the primary key.
 * pg_trgm ships with PostgreSQL and is a trusted extension (13+): the database owner may create it.
 */
export class Migration20261130040000AdminSearch extends Migration {
  override async up(): Promise<void> {
    this.addSql('create extension if not exists pg_trgm;');
    this.addSql('create index users_email_trgm_idx on users using gin (email gin_trgm_ops) with (fastupdate = off);');
    this.addSql('create index users_full_name_trgm_idx on users using gin (full_name gin_trgm_ops) with (fastupdate = off);');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists users_full_name_trgm_idx;');
    this.addSql('drop index if exists users_email_trgm_idx;');
  }
}
