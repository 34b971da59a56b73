import { z } from 'zod';
import { isStorableText, STORABLE_TEXT_ERROR } from './text';

export const ROLES = ['customer', 'employee', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const USER_STATUSES = ['active', 'locked'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** `user` of API.md. */
export interface UserView {
  id: string;
  email: string;
  fullName: string;
  role: Role;
  status: UserStatus;
  createdAt: string;
}

export const EmailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'must be an email address' }))
  .transform((email) => email.toLowerCase());

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
export const PasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { error: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(PASSWORD_MAX_LENGTH, { error: `must be at most ${PASSWORD_MAX_LENGTH} characters` });

export const FullNameSchema = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(200, { error: 'must be at most 200 characters' })
  .refine(isStorableText, { error: STORABLE_TEXT_ERROR });

export const CardPinSchema = z.string().regex(/^\d{4}$/, { error: 'must be exactly 4 digits' });

export const CreateStaffRequestSchema = z.strictObject({
  email: EmailSchema,
  password: PasswordSchema,
  fullName: FullNameSchema,
  role: z.enum(['employee', 'admin']),
});
export type CreateStaffRequest = z.infer<typeof CreateStaffRequestSchema>;
