import { z } from 'zod';
import { AccountNumberSchema } from './account-number';
import { isStorableText, STORABLE_TEXT_ERROR } from './text';

/** Longest nickname, in characters (code points: an emoji is one). */
export const PAYEE_NICKNAME_MAX = 40;
/** Payees one customer can keep: the list is answered whole, so it stays short enough to read and pick from. */
export const PAYEES_MAX = 200;

/** `POST /payees`: a receiving account's number and the caller's own name for it, trimmed. */
export const CreatePayeeRequestSchema = z.strictObject({
  accountNumber: AccountNumberSchema,
  nickname: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .refine((nickname) => Array.from(nickname).length <= PAYEE_NICKNAME_MAX, { error: `must be at most ${PAYEE_NICKNAME_MAX} characters` })
    .refine(isStorableText, { error: STORABLE_TEXT_ERROR }),
});
export type CreatePayeeRequest = z.infer<typeof CreatePayeeRequestSchema>;

/** `payee` of API.md: `name` is the holder's current name, masked like `GET /accounts/lookup` (`Bob B.`). */
export interface PayeeView {
  id: string;
  accountNumber: string;
  nickname: string;
  name: string;
  createdAt: string;
}

/** `GET /payees`: every payee of the caller, newest first (at most PAYEES_MAX, so not paged). */
export interface PayeeList {
  items: PayeeView[];
}
