import { requestDueAt, type RequestHistoryEntry, type RequestStatus, type RequestType, type RequestView } from '@bank/contracts/requests';

export interface RequestRow {
  id: string;
  seq: string;
  type: RequestType;
  status: RequestStatus;
  owner_id: string;
  account_id: string | null;
  details: Record<string, unknown>;
  assignee_id: string | null;
  resolution: string | null;
  expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface HistoryRow {
  from_status: RequestStatus | null;
  to_status: RequestStatus;
  actor_id: string | null;
  note: string | null;
  at: Date;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

export function toRequestView(row: RequestRow, history?: HistoryRow[]): RequestView {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    accountId: row.account_id,
    details: row.details,
    ownerId: row.owner_id,
    assigneeId: row.assignee_id,
    resolution: row.resolution,
    expiresAt: iso(row.expires_at),
    dueAt: requestDueAt(row.type, iso(row.created_at)!),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    ...(history ? { history: history.map(toHistoryEntry) } : {}),
  };
}

function toHistoryEntry(row: HistoryRow): RequestHistoryEntry {
  return { from: row.from_status, to: row.to_status, actorId: row.actor_id, note: row.note, at: iso(row.at)! };
}
