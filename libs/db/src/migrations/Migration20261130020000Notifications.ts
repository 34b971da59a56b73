import { Migration } from '@mikro-orm/migrations';

/**
 * Notifications (API.md "Notifications", DESIGN.md "Notifications and sessions"): a stored, per-user
 * record of what the user should know, written in the same transaction as its cause.
 *
 * Where they are written: the money path, holds, disputes and request moves are PL/pgSQL functions
 * that already append their events to `outbox_events` in the caller's transaction. Rather than a
 * fourth copy of money_post (and of request_announce, hold_release …), a row trigger on
 * `outbox_events` derives the notification from the event it sees — `transaction.posted` →
 * `money.sent` / `money.received` (by the sign of the user's entry), `hold.updated` →
 * `hold.updated`, a `request.updated` to its owner that ends or waits for them → `request.updated`,
 * and the admins' `security.event` of type `card.blocked` → `security.card_blocked` for the card's
 * owner — in the same statement, no extra round trip. Everything else (a new-device sign-in, and
 * issue 19's password / session / MFA changes) calls `notification_add` inside its own transaction.
 *
 * Invariants kept here:
 *   N1 `notification_inbox.unread_count` is the number of the user's notifications with
 *      `read_at is null`: every insert and every read changes both under the inbox row's lock;
 *   N2 so each `notification.created` / `notifications.read` event carries the exact unread count
 *      after its change, and — the inbox row serializing a user's changes — in the user's commit order;
 *   N3 a notification is read at most once (`read_at` set only where null) and never deleted.
 *
 * Lock order: a notification takes its user's inbox row last, after whatever its cause locked (the
 * trigger is deferred to the commit; notification_add's other callers call it last).
 * A transfer notifies two users: its debit side's notification locks both inbox rows in user-id
 * order first, so two transfers between the same two users cannot deadlock on them (transfers of
 * users with one account each already serialize on the account rows).
 */
export class Migration20261130020000Notifications extends Migration {
  override async up(): Promise<void> {
    // N1: one row per user, created with the user.
    this.addSql(`
      create table notification_inbox (
        user_id uuid primary key references users (id) on delete cascade,
        unread_count integer not null default 0 check (unread_count >= 0)
      );`);
    this.addSql('insert into notification_inbox (user_id) select id from users;');
    this.addSql(`
      create function users_open_inbox() returns trigger language plpgsql as $$
      begin
        insert into notification_inbox (user_id) values (new.id);
        return null;
      end $$;`);
    this.addSql('create trigger users_open_inbox after insert on users for each row execute function users_open_inbox();');

    // The user id references the inbox row this transaction has locked already: the key check is free.
    this.addSql(`
      create table notifications (
        id uuid primary key default gen_random_uuid(),
        seq bigint generated always as identity,
        user_id uuid not null references notification_inbox (user_id) on delete cascade,
        kind text not null check (kind in ('money.received', 'money.sent', 'hold.updated', 'request.updated', 'security.sign_in',
          'security.password_changed', 'security.card_blocked', 'security.session_revoked', 'security.mfa_changed')),
        title text not null check (length(title) between 1 and 200),
        body text not null check (length(body) <= 1000),
        link_type text check (link_type in ('transaction', 'hold', 'request', 'session')),
        link_id uuid,
        read_at timestamptz,
        created_at timestamptz not null default now(),
        constraint notifications_link_whole check ((link_type is null) = (link_id is null))
      );`);
    // Paging a user's list newest first, and their unread ones (the unread filter, "mark read up to").
    // seq needs no unique index of its own (identity, generated always): one index less per notification.
    this.addSql('create index notifications_user_idx on notifications (user_id, seq desc);');
    this.addSql('create index notifications_unread_idx on notifications (user_id, seq desc) where read_at is null;');

    // API.md's `notification`.
    this.addSql(`
      create function notification_view(n notifications) returns jsonb language sql stable as $$
        select jsonb_build_object(
          'id', n.id, 'kind', n.kind, 'title', n.title, 'body', n.body,
          'link', case when n.link_type is null then null else jsonb_build_object('type', n.link_type, 'id', n.link_id) end,
          'readAt', iso_utc(n.read_at), 'createdAt', iso_utc(n.created_at))
      $$;`);

    // The one door for a new notification (N1, N2), in the caller's transaction: stored, counted,
    // and pushed to every device of the user. Null when the user does not exist.
    this.addSql(`
      create function notification_add(p_user uuid, p_kind text, p_title text, p_body text, p_link_type text, p_link_id uuid)
      returns jsonb language plpgsql as $$
      declare
        unread integer;
        created notifications;
        view jsonb;
      begin
        update notification_inbox set unread_count = unread_count + 1 where user_id = p_user returning unread_count into unread;
        if not found then
          return null;
        end if;
        insert into notifications (user_id, kind, title, body, link_type, link_id)
        values (p_user, p_kind, left(p_title, 200), left(p_body, 1000), p_link_type, p_link_id)
        returning * into created;
        view := notification_view(created);
        insert into outbox_events (recipient, type, payload)
        values ('user:' || p_user, 'notification.created', jsonb_build_object('notification', view, 'unreadCount', unread));
        return view;
      end $$;`);

    // An amount as a customer reads it: minor units to "1,234.50 USD".
    this.addSql(`
      create function notification_amount(p_amount bigint, p_currency text) returns text language sql immutable as $$
        select to_char(abs(p_amount) / 100.0, 'FM999,999,999,990.00') || ' ' || p_currency
      $$;`);

    this.addSql(`
      create function notification_request_label(p_type text) returns text language sql immutable as $$
        select case p_type
          when 'card_pin_reset' then 'Card PIN reset' when 'name_change' then 'Name change' when 'kyc_update' then 'Address and phone update'
          when 'limit_increase' then 'Daily limit increase' when 'account_freeze' then 'Account freeze'
          when 'account_unfreeze' then 'Account unfreeze' when 'account_closure' then 'Account closure'
          when 'transaction_dispute' then 'Dispute' else initcap(replace(p_type, '_', ' ')) end
      $$;`);

    // The notification an event implies (see the trigger's WHEN for which events reach here).
    this.addSql(`
      create function outbox_events_notify_user() returns trigger language plpgsql as $$
      declare
        event jsonb := new.payload;
        recipient uuid;
        amount bigint;
        currency text;
        counterparty text;
        detail text;
        title text;
        body text;
      begin
        if new.type = 'security.event' then
          perform notification_add((event->>'userId')::uuid, 'security.card_blocked', 'Card blocked',
            'Your card was blocked after 3 wrong PINs in a row. File a card PIN reset request to unblock it. If this was not you, contact us.',
            null, null);
          return null;
        end if;

        recipient := substr(new.recipient, 6)::uuid;
        if new.type = 'transaction.posted' then
          amount := (event->>'amount')::bigint;
          counterparty := event->'counterparty'->>'name';
          select a.currency::text into currency from accounts a where a.id = (event->>'accountId')::uuid;
          if amount < 0 and counterparty is not null then
            -- Lock order: both users' inbox rows, in user-id order, before the first of the two notifications.
            perform 1 from notification_inbox where user_id in (recipient, (select owner_id from accounts where number = event->'counterparty'->>'accountNumber'))
            order by user_id for update;
          end if;
          detail := coalesce(' — ' || nullif(event->>'description', ''), '');
          case event->>'kind'
            when 'deposit' then title := 'Deposit received'; body := notification_amount(amount, currency) || ' deposited' || detail;
            when 'withdrawal' then title := 'Cash withdrawn'; body := notification_amount(amount, currency) || ' withdrawn' || detail;
            when 'reversal' then
              title := 'Transfer reversed';
              body := case when amount < 0 then notification_amount(amount, currency) || ' returned to ' || coalesce(counterparty, 'the sender') || ' after a dispute'
                           else notification_amount(amount, currency) || ' back from ' || coalesce(counterparty, 'the recipient') || ' after your dispute' end || detail;
            else
              title := case when amount < 0 then 'Money sent' else 'Money received' end;
              body := notification_amount(amount, currency) || case when amount < 0 then ' to ' else ' from ' end || coalesce(counterparty, 'another account') || detail;
          end case;
          perform notification_add(recipient, case when amount < 0 then 'money.sent' else 'money.received' end, title, body,
            'transaction', (event->>'transactionId')::uuid);
          return null;
        end if;

        if new.type = 'hold.updated' then
          title := case event->>'status'
            when 'pending' then 'Transfer held for review' when 'posted' then 'Held transfer approved'
            when 'voided' then 'Held transfer declined' when 'cancelled' then 'Held transfer cancelled'
            else 'Held transfer expired' end;
          body := notification_amount((event->>'amount')::bigint, event->>'currency') || ' to ' || coalesce(event->'counterparty'->>'name', 'another account')
            || case event->>'status'
                 when 'pending' then ': the amount is reserved until an employee reviews it.'
                 when 'posted' then ': the money was sent.'
                 when 'voided' then ': the reserved amount is available again.'
                 when 'cancelled' then ': you cancelled it; the reserved amount is available again.'
                 else ': nobody reviewed it in time; the reserved amount is available again.' end;
          perform notification_add(recipient, 'hold.updated', title, body, 'hold', (event->>'id')::uuid);
          return null;
        end if;

        -- request.updated to its owner
        title := case event->>'status'
          when 'awaiting_customer' then 'Your input is needed' when 'completed' then 'Request completed'
          when 'rejected' then 'Request rejected' when 'expired' then 'Request expired' else 'Request failed' end;
        body := notification_request_label(event->>'type') || case event->>'status'
          when 'awaiting_customer' then ' was approved: enter your input before it expires.'
          when 'completed' then ' is done.'
          when 'rejected' then ' was rejected'
          when 'expired' then ' expired.'
          else ' could not be completed' end
          || case when event->>'status' in ('rejected', 'failed') then coalesce(': ' || nullif(event->>'resolution', ''), '') || '.' else '' end;
        perform notification_add(recipient, 'request.updated', title, body, 'request', (event->>'id')::uuid);
        return null;
      end $$;`);
    // Deferred to the commit, so a notification takes its inbox lock after everything its cause
    // locked (a fulfilment completes its request before it touches the account: notified at once,
    // it would hold the owner's inbox row while waiting for an account row that a transfer holds
    // while waiting for that inbox row). A fixed list of events, filtered as each row is inserted: balance.updated, queue.changed, the staff
    // copies of request.updated and notification.created itself never reach the function.
    // transfer_review requests are told through their hold's notifications.
    this.addSql(`
      create constraint trigger outbox_events_notify_user after insert on outbox_events
      deferrable initially deferred for each row
      when ((new.recipient like 'user:%' and (new.type in ('transaction.posted', 'hold.updated')
              or (new.type = 'request.updated' and new.payload->>'type' <> 'transfer_review'
                  and new.payload->>'status' in ('awaiting_customer', 'completed', 'rejected', 'expired', 'failed'))))
         or (new.type = 'security.event' and new.payload->>'type' = 'card.blocked' and new.payload->>'userId' is not null))
      execute function outbox_events_notify_user();`);

    // N1, N2, N3: marks the user's notifications read — up to one of theirs (p_up_to, by creation
    // order) or the listed ones (p_ids) — and tells every device the new count. Answers the unread
    // count, or null when an addressed notification is not the user's (then nothing changed).
    this.addSql(`
      create function notifications_mark_read(p_user uuid, p_up_to uuid, p_ids uuid[]) returns integer language plpgsql as $$
      declare
        up_to_seq bigint;
        changed integer;
        unread integer;
      begin
        perform 1 from notification_inbox where user_id = p_user for update;
        if not found then
          return null;
        end if;
        if p_up_to is not null then
          select seq into up_to_seq from notifications where id = p_up_to and user_id = p_user;
          if not found then
            return null;
          end if;
          update notifications set read_at = now() where user_id = p_user and seq <= up_to_seq and read_at is null;
        else
          if (select count(*) from notifications where id = any(p_ids) and user_id = p_user)
             <> (select count(distinct id) from unnest(p_ids) id) then
            return null;
          end if;
          update notifications set read_at = now() where user_id = p_user and id = any(p_ids) and read_at is null;
        end if;
        get diagnostics changed = row_count;
        update notification_inbox set unread_count = unread_count - changed where user_id = p_user returning unread_count into unread;
        if changed > 0 then
          insert into outbox_events (recipient, type, payload) values ('user:' || p_user, 'notifications.read', jsonb_build_object('unreadCount', unread));
        end if;
        return unread;
      end $$;`);

    // Where a user has signed in from: devices (user agents) and addresses. A sign-in from one not
    // seen before is a security.sign_in notification — except the user's very first sign-in.
    this.addSql(`
      create table sign_in_origins (
        user_id uuid not null references users (id) on delete cascade,
        kind text not null check (kind in ('device', 'address')),
        value text not null check (length(value) <= 512),
        first_seen_at timestamptz not null default now(),
        last_seen_at timestamptz not null default now(),
        primary key (user_id, kind, value)
      );`);
    // Answers whether the sign-in was from somewhere new (and so notified).
    this.addSql(`
      create function sign_in_note(p_user uuid, p_device text, p_device_label text, p_address text) returns boolean language plpgsql as $$
      declare
        seen_before boolean;
        device_known boolean;
        address_known boolean;
      begin
        select exists (select 1 from sign_in_origins where user_id = p_user),
               exists (select 1 from sign_in_origins where user_id = p_user and kind = 'device' and value = p_device),
               p_address is null or exists (select 1 from sign_in_origins where user_id = p_user and kind = 'address' and value = p_address)
        into seen_before, device_known, address_known;
        insert into sign_in_origins (user_id, kind, value)
        select p_user, origin.kind, origin.value from (values ('device', p_device), ('address', p_address)) origin (kind, value)
        where origin.value is not null
        on conflict (user_id, kind, value) do update set last_seen_at = now();
        if not seen_before or (device_known and address_known) then
          return false;
        end if;
        perform notification_add(p_user, 'security.sign_in', 'New sign-in',
          'Someone signed in to your account from ' || case when device_known then 'a known device' else 'a new device' end
          || ' (' || left(p_device_label, 100) || ')'
          || case when p_address is null then '' when address_known then ' at a known address (' || p_address || ')' else ' at a new address (' || p_address || ')' end
          || '. If this was not you, change your password and sign out your other sessions.',
          null, null);
        return true;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop function if exists sign_in_note(uuid, text, text, text);');
    this.addSql('drop table if exists sign_in_origins;');
    this.addSql('drop function if exists notifications_mark_read(uuid, uuid, uuid[]);');
    this.addSql('drop trigger if exists outbox_events_notify_user on outbox_events;');
    this.addSql('drop function if exists outbox_events_notify_user();');
    this.addSql('drop function if exists notification_request_label(text);');
    this.addSql('drop function if exists notification_amount(bigint, text);');
    this.addSql('drop function if exists notification_add(uuid, text, text, text, text, uuid);');
    this.addSql('drop function if exists notification_view(notifications);');
    this.addSql('drop table if exists notifications;');
    this.addSql('drop trigger if exists users_open_inbox on users;');
    this.addSql('drop function if exists users_open_inbox();');
    this.addSql('drop table if exists notification_inbox;');
  }
}
