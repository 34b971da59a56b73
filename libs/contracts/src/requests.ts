import { z } from 'zod';
import { AMOUNT_MAX_MINOR } from './money';
import { CardPinSchema, FullNameSchema } from './users';
import { isStorableText, STORABLE_TEXT_ERROR } from './text';

/** The types a customer files (POST /service-requests). */
export const CUSTOMER_REQUEST_TYPES = ['card_pin_reset', 'name_change', 'kyc_update', 'limit_increase', 'account_freeze', 'account_unfreeze', 'account_closure'] as const;
export type CustomerRequestType = (typeof CUSTOMER_REQUEST_TYPES)[number];
/**
 * Every type; `transfer_review` is filed by the bank itself, with the hold it decides (API.md "Holds");
 * `transaction_dispute` by the sender of a transfer through POST /transactions/:id/disputes (API.md "Disputes and reversals").
 */
export const REQUEST_TYPES = [...CUSTOMER_REQUEST_TYPES, 'transfer_review', 'transaction_dispute'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_STATUSES = [
  'submitted',
  'pending_review',
  'in_review',
  'awaiting_customer',
  'awaiting_second_approval',
  'approved',
  'completed',
  'rejected',
  'cancelled',
  'expired',
  'failed',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Types whose effect needs the customer's own secret input after approval (never seen by staff). */
export const CUSTOMER_INPUT_TYPES: readonly RequestType[] = ['card_pin_reset', 'name_change'];

/** Types that act on one account and therefore need `accountId`. */
export const ACCOUNT_TYPES_OF_REQUESTS: readonly RequestType[] = ['limit_increase', 'account_freeze', 'account_unfreeze', 'account_closure'];

/**
 * The lifecycle of DESIGN.md, as the only legal moves. Every status change goes through one of
 * these; anything else is 409 `INVALID_STATE_TRANSITION`.
 */
export const REQUEST_TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  // A transfer_review may also be cancelled (its hold, by the customer) or expire (the hold's time to live) while open.
  submitted: ['pending_review', 'cancelled', 'expired'],
  pending_review: ['in_review', 'cancelled', 'expired'],
  // Back to pending_review: released by its assignee, or its claim expired; in_review again: reassigned by an admin.
  in_review: ['approved', 'awaiting_customer', 'awaiting_second_approval', 'rejected', 'cancelled', 'expired', 'pending_review', 'in_review'],
  awaiting_customer: ['approved', 'expired'],
  // Maker-checker (API.md "The employee queue"): a second, different employee approves or rejects.
  awaiting_second_approval: ['approved', 'rejected'],
  approved: ['completed', 'failed'],
  completed: [],
  rejected: [],
  cancelled: [],
  expired: [],
  failed: [],
};

export function canTransition(from: RequestStatus, to: RequestStatus): boolean {
  return REQUEST_TRANSITIONS[from].includes(to);
}

/**
 * How long the bank gives itself to decide a request of each type (API.md "The employee queue"):
 * a held transfer's sender is waiting on the money, so an hour; anything else a day.
 */
export const REQUEST_SERVICE_LEVEL_S: Readonly<Record<RequestType, number>> = {
  card_pin_reset: 86_400,
  name_change: 86_400,
  kyc_update: 86_400,
  limit_increase: 86_400,
  account_freeze: 86_400,
  account_unfreeze: 86_400,
  account_closure: 86_400,
  transfer_review: 3_600,
  transaction_dispute: 86_400,
};

/** `dueAt` of a request: when it was filed plus its type's service level. */
export function requestDueAt(type: RequestType, createdAt: string): string {
  return new Date(Date.parse(createdAt) + REQUEST_SERVICE_LEVEL_S[type] * 1000).toISOString();
}

/** Statuses in which the bank still owes a decision, so `dueAt` can pass (overdue). */
export const UNDECIDED_REQUEST_STATUSES: readonly RequestStatus[] = ['submitted', 'pending_review', 'in_review', 'awaiting_second_approval'];

export function isOverdue(request: Pick<RequestView, 'status' | 'dueAt'>, now: number): boolean {
  return UNDECIDED_REQUEST_STATUSES.includes(request.status) && Date.parse(request.dueAt) <= now;
}

export const OPEN_REQUEST_STATUSES: readonly RequestStatus[] = REQUEST_STATUSES.filter((status) => REQUEST_TRANSITIONS[status].length > 0);

const Empty = z.strictObject({});
export const REQUEST_DETAILS_SCHEMAS = {
  card_pin_reset: Empty,
  name_change: Empty,
  kyc_update: z.strictObject({
    address: z.string().trim().min(5, { error: 'must be at least 5 characters' }).max(300).refine(isStorableText, { error: STORABLE_TEXT_ERROR }),
    phone: z.string().trim().regex(/^\+?[0-9 ()-]{6,20}$/, { error: 'must be a phone number' }),
  }),
  limit_increase: z.strictObject({ dailyLimit: z.number().int().min(1).max(AMOUNT_MAX_MINOR) }),
  account_freeze: Empty,
  account_unfreeze: Empty,
  account_closure: Empty,
} as const satisfies Record<CustomerRequestType, z.ZodObject>;

/** The details of a request the bank files itself. */
export const TransferReviewDetailsSchema = z.strictObject({ holdId: z.uuid() });

/**
 * Every key some type's details may carry, each checked per type by the refinement below. A strict
 * object rather than a record: zod's records silently drop a `__proto__` key, strict objects refuse
 * it like any other unknown field (DESIGN.md: unknown fields are rejected).
 */
function anyOfTheKeys(schemas: readonly z.ZodObject[]) {
  const keys = [...new Set(schemas.flatMap((schema) => Object.keys(schema.shape)))];
  return z.strictObject(Object.fromEntries(keys.map((key) => [key, z.unknown().optional()])) as Record<string, z.ZodOptional<z.ZodUnknown>>);
}

export const CreateRequestSchema = z
  .strictObject({
    type: z.enum(CUSTOMER_REQUEST_TYPES),
    accountId: z.uuid({ error: 'must be an account id (UUID)' }).optional(),
    details: anyOfTheKeys(Object.values(REQUEST_DETAILS_SCHEMAS)).default({}),
  })
  .superRefine((value, context) => {
    const parsed = REQUEST_DETAILS_SCHEMAS[value.type].safeParse(value.details);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', path: ['details', ...issue.path.map(String)], message: issue.message });
    }
    if (ACCOUNT_TYPES_OF_REQUESTS.includes(value.type) && !value.accountId) {
      context.addIssue({ code: 'custom', path: ['accountId'], message: `is required for ${value.type}` });
    }
  });
export type CreateRequest = z.infer<typeof CreateRequestSchema>;

export const ApproveRequestSchema = z.strictObject({ note: z.string().trim().max(500).refine(isStorableText, { error: STORABLE_TEXT_ERROR }).optional() });
export const RejectRequestSchema = z.strictObject({ reason: z.string().trim().min(1, { error: 'must not be empty' }).max(500).refine(isStorableText, { error: STORABLE_TEXT_ERROR }) });

/** What the owner submits while `awaiting_customer`: the type's secret input. */
export const SUBMIT_SCHEMAS = {
  card_pin_reset: z.strictObject({ pin: CardPinSchema }),
  name_change: z.strictObject({ fullName: FullNameSchema }),
} as const;

/**
 * The body of `POST /service-requests/:id/submit`: one of the types' inputs, checked against
 * `SUBMIT_SCHEMAS` once the type is known; any other key (`__proto__` included) is refused here.
 */
export const SubmitInputBodySchema = anyOfTheKeys(Object.values(SUBMIT_SCHEMAS));

/** `POST /service-requests/:id/release`: the assignee hands the request back to the queue; the body may be left out. */
export const ReleaseRequestSchema = z.strictObject({ note: z.string().trim().max(500).refine(isStorableText, { error: STORABLE_TEXT_ERROR }).optional() }).default({});
/** `POST /service-requests/:id/reassign` (admin): the active employee who reviews it from now on. */
export const ReassignRequestSchema = z.strictObject({ employeeId: z.uuid({ error: 'must be a user id (UUID)' }) });

/** `?assignee=`: the caller's own claims, or the requests nobody has claimed. */
export const REQUEST_ASSIGNEE_FILTERS = ['me', 'none'] as const;
export type RequestAssigneeFilter = (typeof REQUEST_ASSIGNEE_FILTERS)[number];

export const RequestListQuerySchema = z.strictObject({
  status: z.enum(REQUEST_STATUSES).optional(),
  type: z.enum(REQUEST_TYPES).optional(),
  assignee: z.enum(REQUEST_ASSIGNEE_FILTERS).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).optional(),
});
export type RequestListQuery = z.infer<typeof RequestListQuerySchema>;

export interface RequestHistoryEntry {
  from: RequestStatus | null;
  to: RequestStatus;
  actorId: string | null;
  note: string | null;
  at: string;
}

/** `request` of API.md. */
export interface RequestView {
  id: string;
  type: RequestType;
  status: RequestStatus;
  accountId: string | null;
  details: Record<string, unknown>;
  ownerId: string;
  assigneeId: string | null;
  resolution: string | null;
  expiresAt: string | null;
  /** createdAt + the type's service level (REQUEST_SERVICE_LEVEL_S); past it while undecided, the request is overdue. */
  dueAt: string;
  createdAt: string;
  updatedAt: string;
  history?: RequestHistoryEntry[];
}
