import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000Foundation } from './Migration20261125000000Foundation';

/** Every migration, in order. Listed explicitly so the same code runs from TypeScript and from dist. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261125000000Foundation', class: Migration20261125000000Foundation },
];
