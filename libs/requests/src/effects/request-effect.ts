import type { z } from 'zod';
import type { RequestView } from '@bank/contracts/requests';
import type { AccountsService } from '@bank/accounts/accounts.service';
import type { UsersService } from '@bank/users/users.service';
import type { HoldsService } from '@bank/ledger/holds/holds.service';
import type { ReversalsService } from '@bank/ledger/reversals/reversals.service';
import { ValidationFailed } from '@bank/problems/domain-error';

/** The other modules' services an effect acts through, with system rights — never their tables. */
export interface EffectServices {
  accounts: AccountsService;
  users: UsersService;
  holds: HoldsService;
  reversals: ReversalsService;
}

/** The owner's input, written in the transaction that approves the request. */
export type ApplyInput = () => Promise<void>;

/** What a request of one type does once it is decided; one file per type under effects/, registered in REQUEST_EFFECTS. */
export interface RequestEffect {
  /**
   * The fulfilment job's work, in the transaction that completes the request under its row lock:
   * a reason when the effect cannot be applied (the request then fails with it), null when done.
   */
  fulfil(services: EffectServices, request: RequestView): Promise<string | null>;
  /**
   * Only for types that need the owner's own secret input after approval: checks it and does the
   * slow part (hashing) before any lock, and returns the write that applies it.
   */
  prepareInput?(services: EffectServices, ownerId: string, body: Record<string, unknown>): Promise<ApplyInput>;
}

/** The submitted input checked against its type's schema; a refusal names each field. */
export function parseSubmittedInput<S extends z.ZodType>(schema: S, body: Record<string, unknown>): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationFailed(parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message })));
  return parsed.data;
}
