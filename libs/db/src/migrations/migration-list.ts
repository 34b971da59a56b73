import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000Foundation } from './Migration20261125000000Foundation';
import { Migration20261125010000Ledger } from './Migration20261125010000Ledger';
import { Migration20261125020000Requests } from './Migration20261125020000Requests';
import { Migration20261125030000Security } from './Migration20261125030000Security';
import { Migration20261125040000StaffAudit } from './Migration20261125040000StaffAudit';
import { Migration20261129000000MoneyPath } from './Migration20261129000000MoneyPath';
import { Migration20261129010000RequestTransitions } from './Migration20261129010000RequestTransitions';
import { Migration20261129020000OutboxProgress } from './Migration20261129020000OutboxProgress';
import { Migration20261130000000Holds } from './Migration20261130000000Holds';
import { Migration20261130010000Disputes } from './Migration20261130010000Disputes';
import { Migration20261130020000Notifications } from './Migration20261130020000Notifications';
import { Migration20261130030000Queue } from './Migration20261130030000Queue';
import { Migration20261130040000AdminSearch } from './Migration20261130040000AdminSearch';
import { Migration20261130050000Sessions } from './Migration20261130050000Sessions';
import { Migration20261130060000Mfa } from './Migration20261130060000Mfa';
import { Migration20261130070000Hardening } from './Migration20261130070000Hardening';
import { Migration20261130080000Payees } from './Migration20261130080000Payees';
import { Migration20261130090000Schedules } from './Migration20261130090000Schedules';
import { Migration20261130100000HistorySearch } from './Migration20261130100000HistorySearch';

/** Every migration, in order. Listed explicitly so the same code runs from TypeScript and from dist. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261125000000Foundation', class: Migration20261125000000Foundation },
  { name: 'Migration20261125010000Ledger', class: Migration20261125010000Ledger },
  { name: 'Migration20261125020000Requests', class: Migration20261125020000Requests },
  { name: 'Migration20261125030000Security', class: Migration20261125030000Security },
  { name: 'Migration20261125040000StaffAudit', class: Migration20261125040000StaffAudit },
  { name: 'Migration20261129000000MoneyPath', class: Migration20261129000000MoneyPath },
  { name: 'Migration20261129010000RequestTransitions', class: Migration20261129010000RequestTransitions },
  { name: 'Migration20261129020000OutboxProgress', class: Migration20261129020000OutboxProgress },
  { name: 'Migration20261130000000Holds', class: Migration20261130000000Holds },
  { name: 'Migration20261130010000Disputes', class: Migration20261130010000Disputes },
  { name: 'Migration20261130020000Notifications', class: Migration20261130020000Notifications },
  { name: 'Migration20261130030000Queue', class: Migration20261130030000Queue },
  { name: 'Migration20261130040000AdminSearch', class: Migration20261130040000AdminSearch },
  { name: 'Migration20261130050000Sessions', class: Migration20261130050000Sessions },
  { name: 'Migration20261130060000Mfa', class: Migration20261130060000Mfa },
  { name: 'Migration20261130070000Hardening', class: Migration20261130070000Hardening },
  { name: 'Migration20261130080000Payees', class: Migration20261130080000Payees },
  { name: 'Migration20261130090000Schedules', class: Migration20261130090000Schedules },
  { name: 'Migration20261130100000HistorySearch', class: Migration20261130100000HistorySearch },
];
