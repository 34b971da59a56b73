import { NotFound } from '@bank/problems/domain-error';
import type { AuthenticatedUser } from './access-token';

/**
 * Lets a customer reach only what they own. Someone else's resource is "not found" rather than
 * "forbidden", so ids cannot be probed. Staff roles listed in `staffRoles` see everything.
 */
export function assertOwnerOrStaff(
  caller: AuthenticatedUser,
  ownerId: string | null,
  what: string,
  staffRoles: readonly AuthenticatedUser['role'][] = ['admin'],
): void {
  if (staffRoles.includes(caller.role)) return;
  if (ownerId === null || ownerId !== caller.id) throw new NotFound(what);
}
