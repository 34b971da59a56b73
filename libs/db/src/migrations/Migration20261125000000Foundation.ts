import { Migration } from '@mikro-orm/migrations';

/** Identity (users, refresh token families), accounts, and the customer's card (one card PIN per customer). */
export class Migration20261125000000Foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table users (
        id uuid primary key,
        email text not null,
        password_hash text not null,
        full_name text not null,
        role text not null check (role in ('customer', 'employee', 'admin')),
        status text not null default 'active' check (status in ('active', 'locked')),
        failed_login_count integer not null default 0 check (failed_login_count >= 0),
        locked_at timestamptz,
        lock_reason text,
        address text,
        phone text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint users_email_unique unique (email),
        constraint users_email_lowercase check (email = lower(email))
      );`);
    this.addSql(`
      create table refresh_tokens (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        family_id uuid not null,
        token_hash text not null,
        expires_at timestamptz not null,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz not null default now(),
        constraint refresh_tokens_hash_unique unique (token_hash)
      );`);
    this.addSql('create index refresh_tokens_family_idx on refresh_tokens (family_id);');
    this.addSql('create index refresh_tokens_user_idx on refresh_tokens (user_id);');
    this.addSql(`
      create table accounts (
        id uuid primary key,
        owner_id uuid references users (id),
        number char(12) not null check (number ~ '^[0-9]{12}$'),
        kind text not null default 'customer' check (kind in ('customer', 'system')),
        type text not null check (type in ('checking', 'savings', 'cash')),
        currency char(3) not null,
        status text not null default 'active' check (status in ('active', 'frozen', 'closed')),
        daily_limit bigint not null default 1000000 check (daily_limit > 0),
        balance bigint not null default 0,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint accounts_number_unique unique (number),
        constraint accounts_owner_matches_kind check ((kind = 'customer') = (owner_id is not null)),
        constraint accounts_customer_balance_not_negative check (kind = 'system' or balance >= 0)
      );`);
    this.addSql('create index accounts_owner_idx on accounts (owner_id);');
    this.addSql(`
      create table cards (
        id uuid primary key,
        owner_id uuid not null references users (id),
        pin_hash text not null,
        failed_pin_attempts integer not null default 0 check (failed_pin_attempts >= 0),
        blocked_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint cards_owner_unique unique (owner_id)
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists cards;');
    this.addSql('drop table if exists accounts;');
    this.addSql('drop table if exists refresh_tokens;');
    this.addSql('drop table if exists users;');
  }
}
