import { Migration } from '@mikro-orm/migrations';

/**
 * The employee queue that never strands work (API.md "The employee queue", issue 18):
 *
 *   Q1 `awaiting_second_approval` is a status (maker-checker): the CHECK admits it, and it counts
 *      as open wherever open requests are counted in SQL (one open dispute per transaction, R3 of
 *      migration Disputes: the partial unique index and dispute_file's look-up);
 *   Q2 every request view carries `dueAt` = created_at + its type's service level (transfer_review
 *      1 h, others 24 h; REQUEST_SERVICE_LEVEL_S of the contracts, a test holds them equal);
 *   Q3 request_transition learns two checks made under the row lock: `idleS` (the row was not
 *      touched for that long: a stale claim returns to the queue only if nobody acted on it
 *      meanwhile) and `notAssigneeId` (maker-checker: the second approver is not the first).
 */
export class Migration20261130030000Queue extends Migration {
  override async up(): Promise<void> {
    // Q1
    this.addSql(`alter table service_requests drop constraint service_requests_status_check;`);
    this.addSql(`
      alter table service_requests add constraint service_requests_status_check check (status in (
        'submitted', 'pending_review', 'in_review', 'awaiting_customer', 'awaiting_second_approval', 'approved',
        'completed', 'rejected', 'cancelled', 'expired', 'failed'));`);
    this.addSql(`drop index service_requests_open_dispute_unique;`);
    this.addSql(`
      create unique index service_requests_open_dispute_unique on service_requests ((details->>'transactionId'))
      where type = 'transaction_dispute' and status in ('submitted', 'pending_review', 'in_review', 'awaiting_customer', 'awaiting_second_approval', 'approved');`);
    this.addSql(`
      create or replace function dispute_file(p_transaction uuid, p_owner uuid, p_reason text, p_window_days integer) returns jsonb language plpgsql as $$
      declare
        original ledger_transactions;
        sender accounts;
        open_request uuid;
        request jsonb;
      begin
        if not exists (select 1 from ledger_entries e join accounts a on a.id = e.account_id
                        where e.transaction_id = p_transaction and a.owner_id = p_owner) then
          return jsonb_build_object('refused', 'NOT_FOUND');
        end if;
        -- R3: filings for one transaction serialize here. NO KEY UPDATE does not block the
        -- reversal's foreign key to this row (FOR KEY SHARE), and a ledger row is locked, never updated.
        select * into strict original from ledger_transactions where id = p_transaction for no key update;
        select a.* into sender from ledger_entries e join accounts a on a.id = e.account_id where e.transaction_id = p_transaction and e.amount < 0;
        if original.kind <> 'transfer' or sender.owner_id is distinct from p_owner then
          return jsonb_build_object('refused', 'DISPUTE_NOT_ALLOWED', 'reason', 'not_sent_transfer');
        end if;
        if original.created_at <= now() - make_interval(days => p_window_days) then
          return jsonb_build_object('refused', 'DISPUTE_NOT_ALLOWED', 'reason', 'too_old');
        end if;
        -- Open disputes before reversals: a reversal is posted only by an open dispute, in the
        -- transaction that closes it, so one of the two statements sees it whichever way it races.
        select id into open_request from service_requests
        where type = 'transaction_dispute' and details->>'transactionId' = p_transaction::text
          and status in ('submitted', 'pending_review', 'in_review', 'awaiting_customer', 'awaiting_second_approval', 'approved');
        if found then
          return jsonb_build_object('refused', 'CONFLICT', 'requestId', open_request);
        end if;
        if exists (select 1 from ledger_transactions where reverses_transaction_id = p_transaction) then
          return jsonb_build_object('refused', 'DISPUTE_NOT_ALLOWED', 'reason', 'already_reversed');
        end if;
        -- The facts the reviewer decides on travel with the request: what was sent, when, to whom.
        request := request_create('transaction_dispute', p_owner, sender.id, jsonb_build_object(
          'transactionId', p_transaction, 'reason', p_reason,
          'amount', original.amount, 'currency', original.currency::text, 'transferredAt', iso_utc(original.created_at),
          'recipient', (select jsonb_build_object('accountNumber', a.number::text, 'name', u.full_name)
                          from ledger_entries e join accounts a on a.id = e.account_id join users u on u.id = a.owner_id
                         where e.transaction_id = p_transaction and e.amount > 0)));
        return jsonb_build_object('filed', request_transition((request->>'id')::uuid, jsonb_build_object(
          'from', jsonb_build_array('submitted'), 'to', 'pending_review', 'note', 'disputed by the sender'))->'request');
      end $$;`);
    // The sweep's look-up of stale claims: only the requests in review, by when they were last touched.
    this.addSql(`create index service_requests_in_review_idx on service_requests (updated_at) where status = 'in_review';`);

    // Q2
    this.addSql(`
      create or replace function request_view(r service_requests) returns jsonb language sql stable as $$
        select jsonb_build_object(
          'id', r.id, 'type', r.type, 'status', r.status, 'accountId', r.account_id, 'details', r.details,
          'ownerId', r.owner_id, 'assigneeId', r.assignee_id, 'resolution', r.resolution,
          'expiresAt', iso_utc(r.expires_at),
          'dueAt', iso_utc(r.created_at + make_interval(secs => case when r.type = 'transfer_review' then 3600 else 86400 end)),
          'createdAt', iso_utc(r.created_at), 'updatedAt', iso_utc(r.updated_at))
      $$;`);

    // Q3: as in migration RequestTransitions, with p_move's two new keys:
    //   idleS?          — the row must not have been updated for that many seconds;
    //   notAssigneeId?  — the row's assignee must not be this user.
    // A refusal answers {moved: false, current, assigneeId} as before; the api tells the reasons apart
    // — and `windowPassed: true` when only the deadline refused it.
    // The window check `open` means "no deadline, or not yet passed" (it meant "a deadline in the
    // future": only awaiting_customer requests, which always have one, used it), so claim, approve
    // and reject require it for every type: only a transfer review has a deadline in those states,
    // and a review's deadline is a deadline (API.md "Holds"): decided after it, before the expiry job
    // ran, it is refused (and the api expires it at once).
    this.addSql(`
      create or replace function request_transition(p_id uuid, p_move jsonb) returns jsonb language plpgsql as $$
      declare
        previous service_requests;
        moved service_requests;
        window_open boolean;
        target text := p_move->>'to';
        note text := p_move->>'note';
        set_resolution boolean := p_move ? 'setResolution';
        new_resolution text := p_move->>'setResolution';
        set_expires boolean := false;
        new_expires_at timestamptz;
      begin
        select * into previous from service_requests where id = p_id for update;
        if not found or (p_move ? 'ownerId' and previous.owner_id <> (p_move->>'ownerId')::uuid) then
          return jsonb_build_object('moved', false, 'current', null);
        end if;
        window_open := previous.expires_at is null or previous.expires_at > now();
        if not (previous.status = any(array(select jsonb_array_elements_text(p_move->'from'))))
           or (p_move ? 'assigneeId' and previous.assignee_id is distinct from (p_move->>'assigneeId')::uuid)
           or (p_move ? 'notAssigneeId' and previous.assignee_id = (p_move->>'notAssigneeId')::uuid)
           or (p_move ? 'idleS' and previous.updated_at > now() - make_interval(secs => (p_move->>'idleS')::integer)) then
          return jsonb_build_object('moved', false, 'current', previous.status, 'assigneeId', previous.assignee_id);
        end if;
        if (p_move->>'window' = 'open' and not window_open) or (p_move->>'window' = 'passed' and window_open) then
          return jsonb_build_object('moved', false, 'current', previous.status, 'assigneeId', previous.assignee_id, 'windowPassed', not window_open);
        end if;
        if p_move->'awaitInput'->'types' ? previous.type then
          target := p_move->'awaitInput'->>'to';
          set_expires := true;
          new_expires_at := now() + make_interval(secs => (p_move->'awaitInput'->>'windowS')::integer);
        end if;
        if p_move->'flagNonEmptyAccount'->'types' ? previous.type
           and exists (select 1 from accounts where id = previous.account_id and balance <> 0) then
          note := p_move->'flagNonEmptyAccount'->>'note';
          set_resolution := true;
          new_resolution := note;
        end if;
        update service_requests r set
          status = target,
          updated_at = now(),
          assignee_id = case when p_move ? 'setAssigneeId' then (p_move->>'setAssigneeId')::uuid else r.assignee_id end,
          resolution = case when set_resolution then new_resolution else r.resolution end,
          expires_at = case when set_expires then new_expires_at else r.expires_at end
        where id = p_id
        returning * into moved;
        perform request_announce(moved, previous.status, (p_move->>'actorId')::uuid, note);
        return jsonb_build_object('moved', true, 'request', request_view(moved));
      end $$;`);
  }

  override async down(): Promise<void> {
    // Requests may be awaiting a second approval, and the functions were replaced: there is no faithful way back.
    throw new Error('Migration20261130030000Queue cannot be reverted; restore a backup taken before it instead.');
  }
}
