import { Migration } from '@mikro-orm/migrations';

/**
 * A service request's status change in one round trip (issue 14, "the same edge carries the
 * service-request pipeline"): `request_transition` locks the request row, checks the move against
 * the row, updates it, records the history row and appends the outbox events, in the caller's
 * statement — one call where a transaction of five statements was. `request_create` does the same
 * for a new request. Which moves are legal stays in the api (REQUEST_TRANSITIONS); these functions
 * check only what must be decided under the row lock: the status the move leaves, the assignee,
 * the owner and the input window.
 */
export class Migration20261129010000RequestTransitions extends Migration {
  override async up(): Promise<void> {
    // The employees' queue (its size goes with every queue.changed): only the requests in it.
    this.addSql(`create index service_requests_queue_idx on service_requests (seq) where status = 'pending_review';`);
    // API.md's `request` (without history), as the api's toRequestView writes it (a test holds them equal).
    this.addSql(`
      create function request_view(r service_requests) returns jsonb language sql stable as $$
        select jsonb_build_object(
          'id', r.id, 'type', r.type, 'status', r.status, 'accountId', r.account_id, 'details', r.details,
          'ownerId', r.owner_id, 'assigneeId', r.assignee_id, 'resolution', r.resolution,
          'expiresAt', iso_utc(r.expires_at), 'createdAt', iso_utc(r.created_at), 'updatedAt', iso_utc(r.updated_at))
      $$;`);

    // The history row and the events of a status change: request.updated to the owner and to the
    // employees, and queue.changed when the request enters or leaves the queue (pending_review).
    this.addSql(`
      create function request_announce(r service_requests, p_from text, p_actor uuid, p_note text) returns void language plpgsql as $$
      declare
        view jsonb := request_view(r);
      begin
        insert into service_request_history (request_id, from_status, to_status, actor_id, note) values (r.id, p_from, r.status, p_actor, p_note);
        insert into outbox_events (recipient, type, payload)
        select recipient, type, payload from (values
          (1, 'user:' || r.owner_id, 'request.updated', view),
          (2, 'role:employee', 'request.updated', view),
          (3, 'role:employee', 'queue.changed', case when p_from = 'pending_review' or r.status = 'pending_review' then jsonb_build_object(
            'requestId', r.id, 'status', r.status,
            'queueSize', (select count(*) from service_requests where status = 'pending_review')) end)
        ) as event (position, recipient, type, payload)
        where payload is not null
        order by position;
      end $$;`);

    // A new request in 'submitted', if its account (when it names one) is the owner's; else null.
    this.addSql(`
      create function request_create(p_type text, p_owner uuid, p_account uuid, p_details jsonb) returns jsonb language plpgsql as $$
      declare
        created service_requests;
      begin
        if p_account is not null and not exists (select 1 from accounts where id = p_account and owner_id = p_owner and kind = 'customer') then
          return null;
        end if;
        insert into service_requests (id, type, status, owner_id, account_id, details)
        values (gen_random_uuid(), p_type, 'submitted', p_owner, p_account, p_details)
        returning * into created;
        perform request_announce(created, null, p_owner, null);
        return request_view(created);
      end $$;`);

    // p_move: {from: [statuses], to, actorId, note, ownerId?, assigneeId?, window?: 'open'|'passed',
    //          setAssigneeId?, setResolution?,
    //          awaitInput?: {types, to, windowS}       — a request of one of these types moves to
    //                                                    awaitInput.to instead, its window open windowS,
    //          flagNonEmptyAccount?: {types, note}     — a request of one of these types whose account
    //                                                    holds money gets this note and resolution}.
    // Answers {moved: true, request} or {moved: false, current: status|null, assigneeId}
    // (current null: no such request for this owner).
    this.addSql(`
      create function request_transition(p_id uuid, p_move jsonb) returns jsonb language plpgsql as $$
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
        window_open := previous.expires_at > now();
        if not (previous.status = any(array(select jsonb_array_elements_text(p_move->'from'))))
           or (p_move ? 'assigneeId' and previous.assignee_id is distinct from (p_move->>'assigneeId')::uuid)
           or (p_move->>'window' = 'open' and window_open is not true)
           or (p_move->>'window' = 'passed' and window_open is not false) then
          return jsonb_build_object('moved', false, 'current', previous.status, 'assigneeId', previous.assignee_id);
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
    this.addSql('drop index if exists service_requests_queue_idx;');
    this.addSql('drop function if exists request_transition(uuid, jsonb);');
    this.addSql('drop function if exists request_create(text, uuid, uuid, jsonb);');
    this.addSql('drop function if exists request_announce(service_requests, text, uuid, text);');
    this.addSql('drop function if exists request_view(service_requests);');
  }
}
