import { Migration } from '@mikro-orm/migrations';

/**
 * The relay keeps how far it has published in one row instead of marking every published event:
 * an UPDATE per event doubled the outbox's writes (a new row version and index entries each time),
 * the largest single cost left of a service request in PostgreSQL. Events up to `published_seq` are
 * published; the rest of the numbered ones are published (again, if a relay died after publishing
 * them) by the next drain. Published events stay as the stored stream clients replay from.
 */
export class Migration20261129020000OutboxProgress extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table outbox_relay_progress (
        singleton boolean primary key default true check (singleton),
        published_seq bigint not null
      );`);
    // Publishing goes in event_seq order, so the published events are a prefix of the numbered ones.
    this.addSql(`insert into outbox_relay_progress (published_seq) select coalesce(max(event_seq), 0) from outbox_events where published_at is not null;`);
    this.addSql('drop index outbox_events_unpublished_idx;');
    this.addSql('alter table outbox_events drop column published_at;');
  }

  override async down(): Promise<void> {
    this.addSql('alter table outbox_events add column published_at timestamptz;');
    this.addSql('update outbox_events set published_at = now() where event_seq <= (select published_seq from outbox_relay_progress);');
    this.addSql('create index outbox_events_unpublished_idx on outbox_events (event_seq) where event_seq is not null and published_at is null;');
    this.addSql('drop table outbox_relay_progress;');
  }
}
