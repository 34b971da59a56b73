import { z } from 'zod';

/**
 * Presence in the employee queue (API.md "The employee queue"): which staff have a request open.
 * Transient by design: not stored, not replayed, not in `GET /events` — a live hint, never a
 * record — so `presence.changed` carries its data plainly, without the event envelope and its id.
 */

/** What a staff client sends with `request.viewing` and `request.left`. */
export const RequestPresenceSchema = z.strictObject({ requestId: z.uuid({ error: 'must be a request id (UUID)' }) });
export type RequestPresence = z.infer<typeof RequestPresenceSchema>;

/** One socket views this many requests at most at once (a tab shows a few; the rest is abuse). */
export const PRESENCE_VIEWINGS_PER_SOCKET_MAX = 20;

export interface PresenceViewer {
  userId: string;
  fullName: string;
}

/**
 * Sent to every employee and admin when the viewers of a request change, from any api process.
 * `version` increases with every change of that request's viewers: a client keeps the highest it
 * has seen, so two changes that cross on their way (from two processes) cannot leave it stale.
 */
export interface PresenceChangedData {
  requestId: string;
  viewers: PresenceViewer[];
  version: number;
}

/** The answer to a presence emit that asked for one (Socket.IO acknowledgement). */
export type PresenceAck = { ok: true } | { ok: false; code: 'VALIDATION_FAILED' | 'FORBIDDEN' | 'SERVICE_UNAVAILABLE'; detail: string };

export type PresenceEmit = (payload: RequestPresence, ack?: (answer: PresenceAck) => void) => void;

/** What a client may send on the live socket: only presence, only staff. */
export interface ClientToServerEvents {
  'request.viewing': PresenceEmit;
  'request.left': PresenceEmit;
}
