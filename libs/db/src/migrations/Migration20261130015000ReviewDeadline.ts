import { Migration } from '@mikro-orm/migrations';

/**
 * A transfer review's deadline is a deadline (API.md "Holds": unanswered after HOLD_TTL_S the hold
 * expires). Until now only the expiry job and the sweep looked at it, so an employee who claimed,
 * approved or rejected in the moments between the deadline and the job's run still decided the hold.
 *
 * `request_transition`'s window check `open` now means "no deadline, or not yet passed" (it meant
 * "a deadline in the future": only `awaiting_customer` requests, which always have one, used it),
 * so claim, approve and reject can require it for every type: only transfer reviews have a deadline
 * in those states. A refused move answers `windowPassed: true`, so the api can say why.
 */
export class Migration20261130015000ReviewDeadline extends Migration {
  override async up(): Promise<void> {
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
           or (p_move ? 'assigneeId' and previous.assignee_id is distinct from (p_move->>'assigneeId')::uuid) then
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
    // The earlier body is in Migration20261129010000RequestTransitions; re-running that migration's up restores it.
    throw new Error('Migration20261130015000ReviewDeadline cannot be undone on its own: restore request_transition from Migration20261129010000RequestTransitions');
  }
}
