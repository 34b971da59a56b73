import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property, OptionalProps } from '@mikro-orm/core';
import type { Role, UserStatus, UserView } from '@bank/contracts/users';

/** Why a user is locked: too many failed sign-ins (blocks new password sign-ins only), or an admin (ends everything). */
export type LockKind = 'lockout' | 'admin';

@Entity({ tableName: 'users' })
export class User {
  [OptionalProps]?: 'status' | 'failedLoginCount' | 'lockedAt' | 'lockReason' | 'lockKind' | 'tokensValidAfter' | 'address' | 'phone' | 'createdAt' | 'updatedAt';

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

  /** Null while active; a lock without a kind (written by hand) counts as an admin's: see `isAdminLocked`. */
  @Property({ type: 'text', nullable: true })
  lockKind: LockKind | null = null;

  /** Access tokens of this user issued before it are refused (an admin's lock and unlock set it). */
  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  tokensValidAfter: Date | null = null;

  @Property({ type: 'text', nullable: true })
  address: string | null = null;

  @Property({ type: 'text', nullable: true })
  phone: string | null = null;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'Date', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/** Locked by an admin (or by hand): every session ends, unlike a lockout after failed sign-ins. */
export function isAdminLocked(user: { status: UserStatus; lockKind: LockKind | null }): boolean {
  return user.status === 'locked' && user.lockKind !== 'lockout';
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
