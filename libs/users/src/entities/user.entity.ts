import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property, OptionalProps } from '@mikro-orm/core';
import type { Role, UserStatus, UserView } from '@bank/contracts/users';

@Entity({ tableName: 'users' })
export class User {
  [OptionalProps]?: 'status' | 'failedLoginCount' | 'lockedAt' | 'lockReason' | 'address' | 'phone' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  email!: string;

  @Property({ type: 'text', hidden: true })
  passwordHash!: string;

  @Property({ type: 'text' })
  fullName!: string;

  @Property({ type: 'text' })
  role!: Role;

  @Property({ type: 'text' })
  status: UserStatus = 'active';

  @Property({ type: 'integer' })
  failedLoginCount = 0;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  lockedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  lockReason: string | null = null;

  @Property({ type: 'text', nullable: true })
  address: string | null = null;

  @Property({ type: 'text', nullable: true })
  phone: string | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    fullName: user.fullName,
    role: user.role,
    status: user.status,
    createdAt: user.createdAt.toISOString(),
  };
}
