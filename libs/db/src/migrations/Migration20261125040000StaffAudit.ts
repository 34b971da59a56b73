import { Migration } from '@mikro-orm/migrations';

const TYPES_BEFORE = ['login.failed', 'account.locked', 'account.unlocked', 'token.reused', 'admin_key.failed', 'rate_limited', 'pin.failed', 'card.blocked'];
const quoted = (types: string[]) => types.map((type) => `'${type}'`).join(', ');

/** The security trail also audits an admin creating staff (`staff.created`). */
export class Migration20261125040000StaffAudit extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table security_events drop constraint security_events_type_check;');
    this.addSql(`alter table security_events add constraint security_events_type_check check (type in (${quoted([...TYPES_BEFORE, 'staff.created'])}));`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table security_events drop constraint security_events_type_check;');
    this.addSql(`alter table security_events add constraint security_events_type_check check (type in (${quoted(TYPES_BEFORE)})) not valid;`);
  }
}
