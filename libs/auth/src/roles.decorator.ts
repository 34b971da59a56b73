import { SetMetadata } from '@nestjs/common';
import type { Role } from '@bank/contracts/users';

export const ROLES = 'bankingcore:roles';

/** Restricts a route or controller to these roles (403 `FORBIDDEN` for the others). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES, roles);
