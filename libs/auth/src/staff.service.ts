import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { CreateStaffRequest, Role, UserView } from '@bank/contracts/users';
import { SecretHasher } from '@bank/users/secret-hasher';
import { UsersService } from '@bank/users/users.service';
import { toUserView, type User } from '@bank/users/entities/user.entity';
import { SecurityTrail } from './security-trail';
import { AdminKeyCheck } from './admin-key-check';

export interface NewUser {
  email: string;
  password: string;
  fullName: string;
  role: Role;
}

/** Employees and admins are created by an admin (or the bootstrap), never by self-registration. */
@Injectable()
export class StaffService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: SecretHasher,
    private readonly users: UsersService,
    private readonly security: SecurityTrail,
    private readonly adminKey: AdminKeyCheck,
  ) {}

  /**
   * An admin creates an employee or admin; the audit trail gets `staff.created` in the same
   * transaction. A new admin also needs the `X-Admin-Key` (its wrong-key throttle counts per admin,
   * per new email and per address), so a stolen admin session cannot mint admins of its own.
   */
  async createStaff(request: CreateStaffRequest, adminId: string, ip: string | null, presentedKey: string | undefined): Promise<UserView> {
    if (request.role === 'admin') await this.adminKey.verify({ adminId, ip, target: { email: request.email }, presentedKey });
    const passwordHash = await this.hasher.hash(request.password);
    return this.em.transactional(async () => {
      const user = await this.users.create({ email: request.email, passwordHash, fullName: request.fullName, role: request.role });
      await this.security.record('staff.created', { userId: user.id, ip, detail: { by: adminId, role: user.role, email: user.email } });
      return toUserView(user);
    });
  }

  /** A user with a password and no account: the bootstrap admin, the demo employee. */
  async createUser(newUser: NewUser): Promise<User> {
    const passwordHash = await this.hasher.hash(newUser.password);
    return this.users.create({ email: newUser.email, passwordHash, fullName: newUser.fullName, role: newUser.role });
  }
}
