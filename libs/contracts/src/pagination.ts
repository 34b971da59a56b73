import { z } from 'zod';

export const PAGE_LIMIT_DEFAULT = 20;
export const PAGE_LIMIT_MAX = 100;

/** `?limit&cursor` of every list endpoint; query strings arrive as text, so the limit is coerced. */
export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT),
  cursor: z.string().min(1).max(512).optional(),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

/**
 * What a client passes for one page: the first page without a cursor, the next with the last page's
 * `nextCursor`. A type alias, not an interface, so it fits the client's query-string record.
 */
export type PageRequest = {
  limit?: number;
  cursor?: string | null;
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
