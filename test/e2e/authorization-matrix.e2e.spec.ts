import { createHash, randomUUID } from 'node:crypto';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RequestContext } from '@mikro-orm/postgresql';
import type { Response } from 'supertest';
import { generate as generateTotp } from 'otplib';
import type { RequestType } from '@bank/contracts/requests';
import { RequestsService } from '@bank/requests/requests.service';
import { bearer, TEST_PASSWORD, TEST_PIN, TestApp, uniqueEmail, type TestCustomer, type TestStaff } from '../support/test-app';

/**
 * The authorization matrix of the api (API.md, DESIGN.md "Security"): every route the running app
 * registered × every kind of caller → the status the contract gives, on the owner's resource and
 * on someone else's. The routes come from the app's Express router, not from a list here: a route
 * without an entry in MATRIX fails, and so does an entry that matches no route.
 *
 * Callers: `anonymous` (no token), `owner` (the customer whose resource the call names), `other`
 * (another customer), `employee`, `admin`. For a route on a customer's resource (an id in the path,
 * or an account id in the body) the matrix runs twice with the two customers swapped, so each of
 * them is once on their own resource and once on someone else's, and the owner also tries an id
 * that exists nowhere: a customer must not be able to tell "someone else's" from "no such thing".
 *
 * Every refused call (401/403/404) must be a problem document with the matching code and must
 * change nothing: a digest of everything the people of this file own (users, accounts and their
 * balances, cards, requests, refresh tokens) is compared before and after it, and money routes
 * also compare the target account's balance. A customer's accepted answer must not carry an id of
 * the other customer's.
 */

const CALLERS = ['anonymous', 'owner', 'other', 'employee', 'admin'] as const;
type Caller = (typeof CALLERS)[number];
/** `employee2`: an employee who did not claim the request (extra cases only). */
type Who = Caller | 'employee2';
type Expectations = Record<Caller, number>;

interface World {
  owner: TestCustomer;
  other: TestCustomer;
}
/** What a route's setup built: `id` fills the path's `:id` (and, for body-resource routes, the body). */
interface Ctx {
  id?: string;
  [key: string]: unknown;
}
interface Call {
  body?: object;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}
interface Extra {
  label: string;
  who: Who;
  expect: number;
  code?: string;
  setup: (w: World) => Promise<Ctx>;
  call?: (ctx: Ctx) => Call;
}
interface Entry {
  expect: Expectations;
  /** The call names a customer's resource: run again with the customers swapped, and with an unknown id. */
  customerResource?: boolean;
  setup?: (w: World) => Promise<Ctx>;
  call?: (ctx: Ctx, caller: Who, w: World) => Call | Promise<Call>;
  /** A value a refused call must leave as it was (a balance, a status). */
  watch?: (ctx: Ctx) => Promise<unknown>;
  /** What the accepted call must have done to the watched value. */
  effect?: (before: unknown, after: unknown) => boolean;
  /** Callers answered 2xx that must nevertheless change nothing. */
  noEffect?: Caller[];
  extras?: Extra[];
}

/**
 * Authorization and refusal mismatches the product has today, as `route [case] caller: expected …, got …`.
 * Listed here, reported, and asserted to be exactly these, so the suite stays green without
 * hiding them: fixing one (or adding one) makes the last test fail until this list is updated.
 */
const KNOWN_GAPS: string[] = [];

const PROBLEM_CODE_OF: Record<number, string> = { 401: 'TOKEN_INVALID', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT' };
const DEPOSIT = 1_234;
const WITHDRAWAL = 1_000;
const TRANSFER = 700;
const HELD = 5_000;
const FUNDS = 100_000;

/** `POST /admin/staff` creating an admin, with the admin key if given. */
const newAdminCall = (adminKey?: string): Call => ({
  body: { email: uniqueEmail('authz-staff'), password: TEST_PASSWORD, fullName: 'Matrix Admin', role: 'admin' },
  headers: adminKey === undefined ? ({} as Record<string, string>) : { 'X-Admin-Key': adminKey },
});
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const all = (status: number): Expectations => ({ anonymous: status, owner: status, other: status, employee: status, admin: status });
const signedIn = (status: number): Expectations => ({ anonymous: 401, owner: status, other: status, employee: status, admin: status });
/** Customers only; `other` is what another customer gets on the owner's resource. */
const customers = (owner: number, other = owner): Expectations => ({ anonymous: 401, owner, other, employee: 403, admin: 403 });
const adminOnly = (status: number): Expectations => ({ anonymous: 401, owner: 403, other: 403, employee: 403, admin: status });
const employeeOnly = (status: number): Expectations => ({ anonymous: 401, owner: 403, other: 403, employee: status, admin: 403 });

describe('authorization matrix: every registered route × every caller', () => {
  let t: TestApp;
  let customerA: TestCustomer;
  let customerB: TestCustomer;
  let employee: TestStaff;
  let employee2: TestStaff;
  let admin: TestStaff;
  let routes: DiscoveredRoutes;
  /** Users whose rows the "refused calls change nothing" digest covers. */
  const watchedUsers = new Set<string>();
  const knownGapsSeen: string[] = [];
  const counts = { routes: 0, calls: 0, refused: 0 };

  beforeAll(async () => {
    // A low review threshold, so every route of holds has a hold to act on without nearing the daily limit.
    t = await TestApp.start({ REVIEW_AMOUNT: String(HELD) });
    [customerA, customerB, employee, employee2, admin] = await Promise.all([
      t.newFundedCustomer(FUNDS, { fullName: 'Owner Olivia' }),
      t.newFundedCustomer(FUNDS, { fullName: 'Other Oscar' }),
      t.newStaff('employee'),
      t.newStaff('employee'),
      t.newStaff('admin'),
    ]);
    for (const who of [customerA, customerB, employee, employee2, admin]) watchedUsers.add(who.user.id);
    // Both customers have requests and money moved between them before any list is read, so a list
    // that leaked the other customer's rows would show it.
    for (const [from, to] of [[customerA, customerB], [customerB, customerA]]) {
      await t.http().post('/api/v1/service-requests').set(bearer(from.accessToken)).send({ type: 'kyc_update', details: { address: '2 Seed Road, Springfield', phone: '+1 555 0101' } }).expect(202);
      await t.http().post('/api/v1/transfers').set(bearer(from.accessToken)).send({ fromAccountId: from.accountId, toAccountNumber: to.accountNumber, amount: 100 }).expect(201);
    }
    routes = discoverRoutes(t.app, t.registeredRoutes);
  }, 30_000);
  afterAll(() => t?.close());

  // ---------------------------------------------------------------------------------------------
  // Fixtures: the resources a route acts on, built through the api (and the in-process triage step,
  // since no worker runs here).

  const http = () => t.http();
  const as = (who: { accessToken: string }) => bearer(who.accessToken);

  async function newVictim(): Promise<TestCustomer> {
    const victim = await t.newCustomer({ fullName: 'Victim Vera' });
    watchedUsers.add(victim.user.id);
    return victim;
  }

  // The watched values are null for an id that exists nowhere (the "unknown id" case).
  async function userStatus(id: string): Promise<string | null> {
    const [row] = await t.sql<{ status: string }>('select status from users where id = ?', [id]);
    return row?.status ?? null;
  }

  async function requestStatus(id: string): Promise<string | null> {
    const [row] = await t.sql<{ status: string }>('select status from service_requests where id = ?', [id]);
    return row?.status ?? null;
  }

  async function balanceOf(id: string): Promise<number | null> {
    const [row] = await t.sql<{ balance: string }>('select balance from accounts where id = ?', [id]);
    return row ? Number(row.balance) : null;
  }

  /** A request of `owner`'s, driven to `stage` the way the platform would (triage in-process). */
  async function newRequest(owner: TestCustomer, stage: 'submitted' | 'pending_review' | 'in_review' | 'awaiting_customer', type: RequestType = 'kyc_update'): Promise<string> {
    const details = type === 'kyc_update' ? { address: '1 Matrix Street, Springfield', phone: '+1 555 0100' } : {};
    const created = await http().post('/api/v1/service-requests').set(as(owner)).send({ type, details }).expect(202);
    const id = created.body.id as string;
    if (stage === 'submitted') return id;
    const requests = t.app.get(RequestsService);
    await RequestContext.create(t.orm().em, () => requests.triage(id));
    expect(await requestStatus(id)).toBe('pending_review');
    if (stage === 'pending_review') return id;
    await http().post(`/api/v1/service-requests/${id}/claim`).set(as(employee)).expect(200);
    if (stage === 'in_review') return id;
    await http().post(`/api/v1/service-requests/${id}/approve`).set(as(employee)).send({ note: 'matrix' }).expect(200);
    expect(await requestStatus(id)).toBe(stage);
    return id;
  }

  const ownAccount = async (w: World): Promise<Ctx> => ({ id: w.owner.accountId });
  /** A transfer of the owner's held for review (REVIEW_AMOUNT is HELD here). */
  const ownHold = async (w: World): Promise<Ctx> => {
    await http().post(`/api/v1/accounts/${w.owner.accountId}/deposits`).set(as(w.owner)).send({ amount: HELD }).expect(201);
    const held = await http().post('/api/v1/transfers').set(as(w.owner)).send({ fromAccountId: w.owner.accountId, toAccountNumber: w.other.accountNumber, amount: HELD }).expect(202);
    return { id: held.body.hold.id as string };
  };
  /** A posted transfer the owner sent: to a victim (no part for `other`), or to `other` itself. */
  const ownSentTransfer =
    (to: 'victim' | 'other' = 'victim') =>
    async (w: World): Promise<Ctx> => {
      const toAccountNumber = to === 'other' ? w.other.accountNumber : (await newVictim()).accountNumber;
      const sent = await http().post('/api/v1/transfers').set(as(w.owner)).send({ fromAccountId: w.owner.accountId, toAccountNumber, amount: TRANSFER }).expect(201);
      return { id: sent.body.transaction.id as string };
    };
  async function openDisputes(transactionId: string): Promise<number> {
    const [row] = await t.sql<{ n: number }>(
      `select count(*)::int as n from service_requests where type = 'transaction_dispute' and details->>'transactionId' = ? and status not in ('completed', 'rejected', 'cancelled', 'expired', 'failed')`,
      [transactionId],
    );
    return row.n;
  }
  async function schedulesFrom(accountId: string): Promise<number> {
    const [row] = await t.sql<{ n: number }>('select count(*)::int as n from scheduled_transfers where from_account_id = ?', [accountId]);
    return row.n;
  }
  async function scheduleStatus(id: string): Promise<string | null> {
    const [row] = await t.sql<{ status: string }>('select status from scheduled_transfers where id = ?', [id]);
    return row?.status ?? null;
  }
  async function holdStatus(id: string): Promise<string | null> {
    const [row] = await t.sql<{ status: string }>('select status from holds where id = ?', [id]);
    return row?.status ?? null;
  }
  /** A new, unread notification of the owner's: a deposit's money.received. */
  const ownNotification = async (w: World): Promise<Ctx> => {
    await http().post(`/api/v1/accounts/${w.owner.accountId}/deposits`).set(as(w.owner)).send({ amount: 1 }).expect(201);
    const page = await http().get('/api/v1/notifications').query({ unread: 'true', limit: 1 }).set(as(w.owner)).expect(200);
    return { id: page.body.items[0].id as string };
  };
  async function notificationRead(ctx: Ctx): Promise<boolean | null> {
    const [row] = await t.sql<{ read: boolean }>('select read_at is not null as read from notifications where id = ?', [ctx.id]);
    return row?.read ?? null;
  }
  const requestAt = (stage: Parameters<typeof newRequest>[1], type?: RequestType) => async (w: World): Promise<Ctx> => ({ id: await newRequest(w.owner, stage, type) });
  const balance = (ctx: Ctx) => balanceOf(ctx.id!);
  const requestState = (ctx: Ctx) => requestStatus(ctx.id!);
  const userState = (ctx: Ctx) => userStatus(ctx.id!);
  const becomes = (value: unknown) => (_before: unknown, after: unknown) => after === value;
  const movedBy = (delta: number) => (before: unknown, after: unknown) => (after as number) === (before as number) + delta;

  // ---------------------------------------------------------------------------------------------
  // The table. Keys are "METHOD /path" exactly as the app registered them.

  const MATRIX: Record<string, Entry> = {
    // Public (API.md "Auth"; DESIGN.md: register, login, refresh and health need no token). A token
    // sent along changes nothing.
    'POST /api/v1/auth/register': {
      expect: all(201),
      call: () => ({ body: { email: uniqueEmail('matrix-register'), password: TEST_PASSWORD, fullName: 'Registered Person', pin: '1111' } }),
    },
    'POST /api/v1/auth/login': { expect: all(200), call: (_ctx, _caller, w) => ({ body: { email: w.owner.email, password: w.owner.password } }) },
    'POST /api/v1/auth/refresh': {
      expect: all(200),
      // Refresh tokens rotate: each call presents a token of its own, fresh from a sign-in.
      call: async (_ctx, _caller, w) => ({ body: { refreshToken: (await t.login(w.owner.email, w.owner.password)).refreshToken } }),
    },
    'GET /health/live': { expect: all(200) },
    'GET /health/ready': { expect: all(200) },
    'GET /api/v1/health/live': { expect: all(200) },
    'GET /api/v1/health/ready': { expect: all(200) },
    // Prometheus scrapes without a token (API.md "Health and operations"); keep it inside the network.
    'GET /metrics': { expect: all(200) },
    'GET /api/v1/metrics': { expect: all(200) },

    // Any signed-in user.
    'POST /api/v1/auth/logout': {
      // Logging out revokes only the caller's own token family: with someone else's refresh token it
      // answers 204 too (no oracle for token validity) but must revoke nothing.
      expect: signedIn(204),
      customerResource: true,
      noEffect: ['other', 'employee', 'admin'],
      setup: async (w) => ({ refreshToken: (await t.login(w.owner.email, w.owner.password)).refreshToken }),
      call: (ctx) => ({ body: { refreshToken: ctx.refreshToken } }),
      watch: async (ctx) => {
        const [row] = await t.sql<{ revoked: boolean }>('select revoked_at is not null as revoked from refresh_tokens where token_hash = ?', [sha256(ctx.refreshToken as string)]);
        return row?.revoked ?? null;
      },
      effect: becomes(true),
    },
    'GET /api/v1/me': { expect: signedIn(200) },
    // Sessions and password (issue 19): every role, each their own.
    'GET /api/v1/auth/sessions': { expect: signedIn(200) },
    'DELETE /api/v1/auth/sessions/:id': {
      // Only the owner's own session ends; anyone else's is 404 like one that does not exist.
      expect: { anonymous: 401, owner: 204, other: 404, employee: 404, admin: 404 },
      customerResource: true,
      setup: async (w) => {
        const { accessToken } = await t.login(w.owner.email, w.owner.password);
        return { id: (JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as { sid: string }).sid };
      },
      watch: async (ctx) => {
        const [row] = await t.sql<{ revoked: boolean }>('select revoked_at is not null as revoked from sessions where id = ?', [ctx.id]);
        return row?.revoked ?? null;
      },
      effect: becomes(true),
    },
    // Ends the caller's other sessions only (the matrix's callers each hold one token, the current one).
    'POST /api/v1/auth/sessions/revoke-others': { expect: signedIn(204) },
    // Any signed-in user, their own password. A new password that breaks the rules: 400 for every
    // signed-in caller, nothing changed (a right one would change the fixtures' passwords, a wrong
    // current one counts toward their lockout; both are libs/auth/src/sessions.int.spec.ts).
    'POST /api/v1/auth/password': {
      expect: signedIn(400),
      call: () => ({ body: { currentPassword: 'not-the-current-password', newPassword: 'short' } }),
    },
    // Two-factor sign-in: each caller's own factor. Nobody here turns it on for good (the callers
    // sign in again elsewhere in this file): confirm and disable reach their rule and are refused.
    'GET /api/v1/auth/mfa': { expect: signedIn(200) },
    'POST /api/v1/auth/mfa/totp/setup': { expect: signedIn(200) },
    'POST /api/v1/auth/mfa/totp/confirm': {
      // With no setup pending → 409 CONFLICT (an earlier setup of the caller's is cleared first).
      expect: signedIn(409),
      call: async (_ctx, who, w) => {
        const caller = identity(who, w);
        if (caller) await t.sql('delete from totp_factors where user_id = ?', [caller.user.id]);
        return { body: { code: '123456' } };
      },
    },
    'DELETE /api/v1/auth/mfa/totp': {
      // The right password, and TOTP is not on → 409 CONFLICT.
      expect: signedIn(409),
      call: () => ({ body: { password: TEST_PASSWORD, code: '123456' } }),
    },
    'POST /api/v1/auth/mfa/verify': {
      // Public: the mfaToken is the credential. Each call is a fresh user's second step, with a recovery code.
      expect: all(200),
      call: async () => {
        const enrolled = await t.newCustomer();
        const { secret } = (await http().post('/api/v1/auth/mfa/totp/setup').set(as(enrolled)).expect(200)).body as { secret: string };
        const { recoveryCodes } = (await http().post('/api/v1/auth/mfa/totp/confirm').set(as(enrolled)).send({ code: await generateTotp({ secret }) }).expect(200)).body as { recoveryCodes: string[] };
        const { mfaToken } = (await http().post('/api/v1/auth/login').send({ email: enrolled.email, password: enrolled.password }).expect(200)).body as { mfaToken: string };
        return { body: { mfaToken, recoveryCode: recoveryCodes[0] } };
      },
    },
    'GET /api/v1/events': { expect: signedIn(200) },
    'GET /api/v1/service-requests': { expect: signedIn(200) },

    // Accounts and money: customers only (employees see no balances); someone else's account is 404.
    'GET /api/v1/accounts': { expect: customers(200) },
    'POST /api/v1/accounts': { expect: customers(201), call: () => ({ body: { type: 'savings', currency: 'USD' } }) },
    // Naming a payee before paying: any customer may name any receiving account (masked); staff do not pay.
    'GET /api/v1/accounts/lookup': { expect: customers(200), call: (_ctx, _caller, w) => ({ query: { number: w.other.accountNumber } }) },
    'GET /api/v1/accounts/:id': { expect: customers(200, 404), customerResource: true, setup: ownAccount },
    // Saved payees (issue 20): each customer's own; someone else's is 404 like one that does not exist.
    'GET /api/v1/payees': {
      expect: customers(200),
      // Both customers have a payee, so a list that leaked the other's would carry its id.
      setup: async (w) => {
        for (const who of [w.owner, w.other]) await t.sql(`insert into payees (id, owner_id, account_number, nickname) values (gen_random_uuid(), ?, ?, 'Matrix') on conflict do nothing`, [who.user.id, w.owner.accountNumber]);
        return {};
      },
    },
    'POST /api/v1/payees': {
      expect: customers(201),
      call: async () => ({ body: { accountNumber: (await t.newCustomer({ fullName: 'Payee Paula' })).accountNumber, nickname: 'Matrix payee' } }),
    },
    'DELETE /api/v1/payees/:id': {
      expect: customers(204, 404),
      customerResource: true,
      setup: async (w) => {
        const [row] = await t.sql<{ id: string }>(
          `insert into payees (id, owner_id, account_number, nickname) values (gen_random_uuid(), ?, lpad((random() * 1e12)::bigint::text, 12, '0'), 'Matrix') returning id::text`,
          [w.owner.user.id],
        );
        return { id: row.id };
      },
      watch: async (ctx) => (await t.sql('select 1 from payees where id = ?', [ctx.id])).length === 1,
      effect: becomes(false),
    },
    'GET /api/v1/accounts/:id/transactions': { expect: customers(200, 404), customerResource: true, setup: ownAccount },
    'GET /api/v1/accounts/:id/statements': { expect: customers(200, 404), customerResource: true, setup: ownAccount },
    'GET /api/v1/accounts/:id/statements/:month': {
      expect: customers(200, 404),
      customerResource: true,
      setup: async (w) => ({ ...(await ownAccount(w)), month: new Date().toISOString().slice(0, 7) }),
      call: () => ({ headers: { Accept: 'text/csv' } }),
    },
    'POST /api/v1/accounts/:id/deposits': {
      expect: customers(201, 404),
      customerResource: true,
      setup: ownAccount,
      call: () => ({ body: { amount: DEPOSIT, description: 'matrix deposit' }, headers: { 'Idempotency-Key': randomUUID() } }),
      watch: balance,
      effect: movedBy(DEPOSIT),
    },
    'POST /api/v1/accounts/:id/withdrawals': {
      expect: customers(201, 404),
      customerResource: true,
      setup: ownAccount,
      // Every customer here has the card PIN TEST_PIN: the other customer presents a PIN that is right for their own card.
      call: () => ({ body: { amount: WITHDRAWAL, pin: TEST_PIN, description: 'matrix withdrawal' }, headers: { 'Idempotency-Key': randomUUID() } }),
      watch: balance,
      effect: movedBy(-WITHDRAWAL),
    },
    'POST /api/v1/transfers': {
      // The resource is the source account in the body: the other customer tries to move the owner's money to themselves.
      expect: customers(201, 404),
      customerResource: true,
      setup: async (w) => ({ id: w.owner.accountId, toAccountNumber: w.other.accountNumber }),
      call: (ctx) => ({ body: { fromAccountId: ctx.id, toAccountNumber: ctx.toAccountNumber, amount: TRANSFER, description: 'matrix transfer' }, headers: { 'Idempotency-Key': randomUUID() } }),
      watch: balance,
      effect: movedBy(-TRANSFER),
    },

    // Service requests: customers file and follow their own; employees work all of them; admins read all.
    'POST /api/v1/service-requests': {
      // The account named in the body is the resource: filing on someone else's account is 404.
      expect: customers(202, 404),
      customerResource: true,
      setup: ownAccount,
      call: (ctx) => ({ body: { type: 'limit_increase', accountId: ctx.id, details: { dailyLimit: 2_000_000 } } }),
    },
    'GET /api/v1/service-requests/:id': {
      expect: { anonymous: 401, owner: 200, other: 404, employee: 200, admin: 200 },
      customerResource: true,
      setup: requestAt('submitted'),
    },
    'POST /api/v1/service-requests/:id/cancel': {
      expect: customers(200, 404),
      customerResource: true,
      setup: requestAt('submitted'),
      watch: requestState,
      effect: becomes('cancelled'),
    },
    'POST /api/v1/service-requests/:id/submit': {
      expect: customers(202, 404),
      customerResource: true,
      setup: requestAt('awaiting_customer', 'name_change'),
      call: () => ({ body: { fullName: 'Renamed Customer' } }),
      watch: requestState,
      effect: becomes('approved'),
    },
    'POST /api/v1/service-requests/:id/claim': {
      expect: employeeOnly(200),
      customerResource: true,
      setup: requestAt('pending_review'),
      watch: requestState,
      effect: becomes('in_review'),
    },
    'POST /api/v1/service-requests/:id/approve': {
      // `employee` is the one who claimed it; another employee is refused (extra case).
      expect: employeeOnly(200),
      customerResource: true,
      setup: requestAt('in_review'),
      call: () => ({ body: { note: 'matrix approval' } }),
      watch: requestState,
      effect: becomes('approved'),
      extras: [{ label: 'an employee who did not claim it', who: 'employee2', expect: 403, setup: requestAt('in_review') }],
    },
    'POST /api/v1/service-requests/:id/reject': {
      expect: employeeOnly(200),
      customerResource: true,
      setup: requestAt('in_review'),
      call: () => ({ body: { reason: 'matrix rejection' } }),
      watch: requestState,
      effect: becomes('rejected'),
      extras: [{ label: 'an employee who did not claim it', who: 'employee2', expect: 403, setup: requestAt('in_review') }],
    },

    'POST /api/v1/service-requests/:id/release': {
      // Only the employee who claimed it (`employee`); another employee is refused (extra case).
      expect: employeeOnly(200),
      customerResource: true,
      setup: requestAt('in_review'),
      call: () => ({ body: { note: 'matrix release' } }),
      watch: requestState,
      effect: becomes('pending_review'),
      extras: [{ label: 'an employee who did not claim it', who: 'employee2', expect: 403, setup: requestAt('in_review') }],
    },
    'POST /api/v1/service-requests/:id/reassign': {
      expect: adminOnly(200),
      customerResource: true,
      setup: requestAt('pending_review'),
      call: () => ({ body: { employeeId: employee.user.id } }),
      watch: requestState,
      effect: becomes('in_review'),
    },

    // Holds (API.md "Holds"): the owner lists, reads and cancels their own; staff read any (with the review facts).
    'GET /api/v1/holds': { expect: customers(200) },
    'GET /api/v1/holds/:id': {
      expect: { anonymous: 401, owner: 200, other: 404, employee: 200, admin: 200 },
      customerResource: true,
      setup: ownHold,
    },
    'POST /api/v1/holds/:id/cancel': {
      expect: customers(200, 404),
      customerResource: true,
      setup: ownHold,
      watch: (ctx) => holdStatus(ctx.id!),
      effect: becomes('cancelled'),
    },

    // Disputes (API.md "Disputes and reversals"): the sender disputes their own transfer; someone with no part in it gets 404.
    'POST /api/v1/transactions/:id/disputes': {
      expect: customers(202, 404),
      customerResource: true,
      setup: ownSentTransfer(),
      call: () => ({ body: { reason: 'matrix dispute' }, headers: { 'Idempotency-Key': randomUUID() } }),
      watch: (ctx) => openDisputes(ctx.id!),
      effect: movedBy(1),
      extras: [{ label: 'the recipient', who: 'other', expect: 422, code: 'DISPUTE_NOT_ALLOWED', setup: ownSentTransfer('other'), call: () => ({ body: { reason: 'matrix dispute' } }) }],
    },

    // Notifications (API.md "Notifications"): every signed-in user reads and marks their own; anyone else's is 404, like one that does not exist.
    'GET /api/v1/notifications': { expect: signedIn(200) },
    'GET /api/v1/notifications/:id': {
      expect: { anonymous: 401, owner: 200, other: 404, employee: 404, admin: 404 },
      customerResource: true,
      setup: ownNotification,
    },
    'POST /api/v1/notifications/read': {
      // The notification named in the body is the resource.
      expect: { anonymous: 401, owner: 200, other: 404, employee: 404, admin: 404 },
      customerResource: true,
      setup: ownNotification,
      call: (ctx) => ({ body: { ids: [ctx.id] } }),
      watch: notificationRead,
      effect: becomes(true),
    },

    // Admin only.
    'GET /api/v1/admin/security-events': { expect: adminOnly(200) },
    'GET /api/v1/admin/users': { expect: adminOnly(200) },
    'GET /api/v1/admin/users/:id': { expect: adminOnly(200), setup: async () => ({ id: (await newVictim()).user.id }) },
    'GET /api/v1/admin/transactions': { expect: adminOnly(200) },
    'GET /api/v1/admin/ledger/check': { expect: adminOnly(200) },
    'GET /api/v1/admin/stats': { expect: adminOnly(200) },
    'POST /api/v1/admin/queues/session': { expect: adminOnly(204) },
    'POST /api/v1/admin/staff': {
      expect: adminOnly(201),
      call: () => ({ body: { email: uniqueEmail('authz-staff'), password: TEST_PASSWORD, fullName: 'Matrix Staff', role: 'employee' } }),
      // A new admin also needs the admin key (API.md "Hardening"); the key without an admin JWT opens nothing.
      extras: [
        { label: 'a new admin without X-Admin-Key', who: 'admin', expect: 403, code: 'ADMIN_KEY_INVALID', setup: async () => ({}), call: () => newAdminCall() },
        { label: 'a new admin, the employee with the right X-Admin-Key', who: 'employee', expect: 403, setup: async () => ({}), call: () => newAdminCall(t.config.adminKey) },
        { label: 'a new admin with X-Admin-Key', who: 'admin', expect: 201, setup: async () => ({}), call: () => newAdminCall(t.config.adminKey) },
      ],
    },
    'POST /api/v1/admin/users/:id/lock': {
      // The target is a customer who is none of the callers; locking oneself is an extra case.
      expect: adminOnly(200),
      setup: async () => ({ id: (await newVictim()).user.id }),
      call: () => ({ body: { reason: 'matrix lock' } }),
      watch: userState,
      effect: becomes('locked'),
      extras: [
        { label: 'the admin on their own id', who: 'admin', expect: 409, setup: async () => ({ id: admin.user.id }) },
        { label: 'the employee on their own id', who: 'employee', expect: 403, setup: async () => ({ id: employee.user.id }) },
        { label: 'a customer on their own id', who: 'owner', expect: 403, setup: async (w) => ({ id: w.owner.user.id }) },
      ],
    },
    'POST /api/v1/admin/users/:id/unlock': {
      // Everybody presents the right X-Admin-Key: the key without an admin JWT opens nothing.
      expect: adminOnly(200),
      setup: async () => {
        const victim = await newVictim();
        await http().post(`/api/v1/admin/users/${victim.user.id}/lock`).set(as(admin)).send({ reason: 'to be unlocked' }).expect(200);
        return { id: victim.user.id };
      },
      call: () => ({ headers: { 'X-Admin-Key': t.config.adminKey } }),
      watch: userState,
      effect: becomes('active'),
      extras: [
        {
          label: 'an admin JWT without X-Admin-Key',
          who: 'admin',
          expect: 403,
          code: 'ADMIN_KEY_INVALID',
          setup: async () => {
            const victim = await newVictim();
            await http().post(`/api/v1/admin/users/${victim.user.id}/lock`).set(as(admin)).send({ reason: 'stays locked' }).expect(200);
            return { id: victim.user.id };
          },
          call: () => ({}),
        },
      ],
    },

    // Scheduled transfers (API.md "Payees, scheduled transfers, search, statements"): a customer schedules from, lists and cancels their own.
    'GET /api/v1/scheduled-transfers': { expect: customers(200) },
    'POST /api/v1/scheduled-transfers': {
      // The source account in the body is the resource: scheduling from someone else's is 404.
      expect: customers(201, 404),
      customerResource: true,
      setup: async (w) => ({ id: w.owner.accountId, toAccountNumber: w.other.accountNumber }),
      call: (ctx) => ({ body: { fromAccountId: ctx.id, toAccountNumber: ctx.toAccountNumber, amount: TRANSFER, startOn: '2030-01-01', frequency: 'monthly', count: 2 } }),
      watch: (ctx) => schedulesFrom(ctx.id!),
      effect: movedBy(1),
    },
    'POST /api/v1/scheduled-transfers/:id/cancel': {
      expect: customers(200, 404),
      customerResource: true,
      setup: async (w) => {
        const created = await http()
          .post('/api/v1/scheduled-transfers')
          .set(as(w.owner))
          .send({ fromAccountId: w.owner.accountId, toAccountNumber: w.other.accountNumber, amount: TRANSFER, startOn: '2030-01-01', frequency: 'weekly', count: 2 })
          .expect(201);
        return { id: created.body.id as string };
      },
      watch: (ctx) => scheduleStatus(ctx.id!),
      effect: becomes('cancelled'),
    },
  };

  // ---------------------------------------------------------------------------------------------
  // Running one call and judging it.

  function identity(who: Who, w: World): TestCustomer | TestStaff | null {
    switch (who) {
      case 'anonymous':
        return null;
      case 'owner':
        return w.owner;
      case 'other':
        return w.other;
      case 'employee':
        return employee;
      case 'employee2':
        return employee2;
      case 'admin':
        return admin;
    }
  }

  /** Everything the people of this file own, as one digest: a refused call must leave it as it was. */
  async function digest(): Promise<string> {
    const ids = [...watchedUsers];
    const [row] = await t.sql<{ digest: string }>(
      `select md5(coalesce(string_agg(x, '|' order by x), '')) as digest from (
         select concat_ws(':', 'user', id, email, status, role, full_name, address, phone, failed_login_count, locked_at) as x from users where id in (?) or email like 'authz-staff-%'
         union all select concat_ws(':', 'account', id, owner_id, balance, status, type, daily_limit, entry_count) from accounts where owner_id in (?)
         union all select concat_ws(':', 'card', id, pin_hash, failed_pin_attempts, blocked_at) from cards where owner_id in (?)
         union all select concat_ws(':', 'request', id, owner_id, status, assignee_id, resolution, expires_at, updated_at) from service_requests where owner_id in (?)
         union all select concat_ws(':', 'refresh', id, used_at, revoked_at) from refresh_tokens where user_id in (?)
         union all select concat_ws(':', 'notification', id, read_at) from notifications where user_id in (?)
         union all select concat_ws(':', 'totp', user_id, status, secret, last_time_step) from totp_factors where user_id in (?)
       ) rows`,
      [ids, ids, ids, ids, ids, ids, ids],
    );
    return row.digest;
  }

  /** The ids of `customer`'s that another customer must never be shown. */
  async function idsOf(customer: TestCustomer): Promise<string[]> {
    const rows = await t.sql<{ id: string }>(
      'select id::text as id from accounts where owner_id = ? union all select id::text from service_requests where owner_id = ? union all select id::text from payees where owner_id = ?',
      [customer.user.id, customer.user.id, customer.user.id],
    );
    return [customer.user.id, ...rows.map((r) => r.id)];
  }

  async function send(method: string, path: string, who: { accessToken: string } | null, call: Call): Promise<Response> {
    const agent = http();
    let request = method === 'GET' ? agent.get(path) : method === 'POST' ? agent.post(path) : method === 'PUT' ? agent.put(path) : method === 'PATCH' ? agent.patch(path) : method === 'DELETE' ? agent.delete(path) : null;
    if (!request) throw new Error(`no client for ${method}`);
    if (who) request = request.set(as(who));
    if (call.query) request = request.query(call.query);
    for (const [name, value] of Object.entries(call.headers ?? {})) request = request.set(name, value);
    return call.body === undefined ? request : request.send(call.body);
  }

  function fillPath(template: string, ctx: Ctx): string {
    return template.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
      const value = name === 'id' ? ctx.id : ctx[name];
      if (typeof value !== 'string') throw new Error(`no value for :${name} in ${template}`);
      return value;
    });
  }

  interface Outcome {
    response: Response;
    mismatches: string[];
  }

  /** One call: status, refusal shape, nothing changed when refused, the effect when accepted, no leak. */
  async function check(key: string, entry: Entry, label: string, who: Who, expected: number, ctx: Ctx, w: World, options: { code?: string; call?: Call } = {}): Promise<Outcome> {
    const [method, template] = key.split(' ');
    const caller = who === 'employee2' ? 'employee' : who;
    const refused = expected >= 400;
    const quiet = refused || (entry.noEffect ?? []).includes(caller);
    const call = options.call ?? (await entry.call?.(ctx, who, w)) ?? {};
    const digestBefore = quiet ? await digest() : null;
    const watchedBefore = entry.watch ? await entry.watch(ctx) : undefined;
    const response = await send(method, fillPath(template, ctx), identity(who, w), call);
    counts.calls++;
    if (refused) counts.refused++;

    const mismatches: string[] = [];
    const at = `${key} [${label}] ${who}`;
    const got = `${response.status}${response.body?.code ? ` ${response.body.code}` : ''}`;
    if (response.status !== expected) mismatches.push(`${at}: expected ${expected}, got ${got}`);
    else if (refused) {
      const code = options.code ?? PROBLEM_CODE_OF[expected];
      if (!String(response.headers['content-type']).startsWith('application/problem+json') || (code && response.body.code !== code)) {
        mismatches.push(`${at}: expected a problem document with code ${code}, got ${response.headers['content-type']} ${JSON.stringify(response.body).slice(0, 200)}`);
      }
    }
    if (quiet) {
      if ((await digest()) !== digestBefore) mismatches.push(`${at}: a refused call changed stored state`);
      if (entry.watch) {
        const after = await entry.watch(ctx);
        if (after !== watchedBefore) mismatches.push(`${at}: a refused call changed the target (${String(watchedBefore)} → ${String(after)})`);
      }
    } else if (entry.watch && entry.effect && response.status === expected) {
      const after = await entry.watch(ctx);
      if (!entry.effect(watchedBefore, after)) mismatches.push(`${at}: the accepted call did not have its effect (${String(watchedBefore)} → ${String(after)})`);
    }
    const isPublic = entry.expect.anonymous < 400;
    if ((caller === 'owner' || caller === 'other') && !isPublic && response.status < 300) {
      const counterpart = caller === 'owner' ? w.other : w.owner;
      const text = JSON.stringify(response.body ?? '') + (response.text ?? '');
      const leaked = (await idsOf(counterpart)).filter((id) => text.includes(id));
      if (leaked.length > 0) mismatches.push(`${at}: the answer carries ${leaked.length} id(s) of the other customer's`);
    }
    return { response, mismatches };
  }

  /** Refused (or must-not-change) callers first, so the accepted ones find the resource as set up. */
  function inCallOrder(entry: Entry, callers: readonly Caller[]): Caller[] {
    const quiet = (c: Caller) => entry.expect[c] >= 400 || (entry.noEffect ?? []).includes(c);
    return [...callers.filter(quiet), ...callers.filter((c) => !quiet(c))];
  }

  async function runEntry(key: string, entry: Entry): Promise<string[]> {
    const mismatches: string[] = [];
    const collect = (outcome: Outcome) => mismatches.push(...outcome.mismatches);
    const base: World = { owner: customerA, other: customerB };
    const ctx = (await entry.setup?.(base)) ?? {};
    let otherAnswer: Response | undefined;
    for (const caller of inCallOrder(entry, CALLERS)) {
      const outcome = await check(key, entry, entry.customerResource ? "owner's resource" : 'base', caller, entry.expect[caller], ctx, base);
      if (caller === 'other') otherAnswer = outcome.response;
      collect(outcome);
    }
    if (entry.customerResource) {
      // The same route with the customers swapped: A on B's resource, then B on their own.
      const swapped: World = { owner: customerB, other: customerA };
      const swappedCtx = (await entry.setup?.(swapped)) ?? {};
      for (const caller of inCallOrder(entry, ['other', 'owner'])) collect(await check(key, entry, 'swapped customers', caller, entry.expect[caller], swappedCtx, swapped));
      if (entry.expect.other === 404 && otherAnswer) {
        // Someone else's id and an id that exists nowhere must be indistinguishable.
        const unknown = await check(key, entry, 'unknown id', 'owner', 404, { ...ctx, id: randomUUID() }, base);
        collect(unknown);
        const shape = (r: Response) => JSON.stringify({ status: r.status, code: r.body?.code, title: r.body?.title, detail: r.body?.detail });
        if (shape(unknown.response) !== shape(otherAnswer)) {
          mismatches.push(`${key} [unknown id] owner: someone else's resource and an unknown id answer differently: ${shape(otherAnswer)} vs ${shape(unknown.response)}`);
        }
      }
    }
    for (const extra of entry.extras ?? []) {
      const extraCtx = await extra.setup(base);
      collect(await check(key, entry, extra.label, extra.who, extra.expect, extraCtx, base, { code: extra.code, call: extra.call?.(extraCtx) }));
    }
    return mismatches;
  }

  // ---------------------------------------------------------------------------------------------

  it('the route table of the running app and the expectation table match exactly', () => {
    const registered = routes.endpoints.map((r) => r.key);
    const missingEntries = registered.filter((key) => !(key in MATRIX));
    const staleEntries = Object.keys(MATRIX).filter((key) => !registered.includes(key));
    expect({ missingEntries, staleEntries }).toEqual({ missingEntries: [], staleEntries: [] });
    // The server's routes and Nest's own controller metadata agree, so no endpoint hides among the others.
    expect(routes.unmatchedNestHandlers).toEqual([]);
    expect(routes.unmatchedServerRoutes).toEqual([]);
    // Excluded, with a reason, are only Swagger's own routes (checked below), Bull Board's (its own
    // test), the web app's files (GET, public) and the CORS preflight — never a Nest route.
    expect(routes.swagger.length).toBeGreaterThan(0);
    expect(routes.swagger.every((r) => r.path.startsWith('/api/docs'))).toBe(true);
    expect(routes.other.map((r) => r.path)).toEqual(expect.arrayContaining(['/', '/admin/queues']));
    expect(registered).toEqual(expect.arrayContaining(['POST /api/v1/admin/queues/session', 'GET /health/live', 'GET /health/ready']));
  });

  it('every registered route answers every caller as the table says, and refusals change nothing', async () => {
    const unexpected: string[] = [];
    for (const route of routes.endpoints) {
      const entry = MATRIX[route.key];
      if (!entry) continue; // reported by the table test above
      counts.routes++;
      for (const mismatch of await runEntry(route.key, entry)) {
        if (KNOWN_GAPS.includes(mismatch)) knownGapsSeen.push(mismatch);
        else unexpected.push(mismatch);
      }
    }
    console.info(`authorization matrix: ${counts.routes} routes, ${counts.calls} calls (${counts.refused} refused)`);
    expect(unexpected).toEqual([]);
    expect(counts.routes).toBe(Object.keys(MATRIX).length);
  }, 50_000);

  it('Bull Board (an Express sub-app, not in the Nest route table): admins only', async () => {
    const base: World = { owner: customerA, other: customerB };
    const expected = adminOnly(200);
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      for (const caller of CALLERS) {
        const response = await send('GET', path, identity(caller, base), {});
        expect({ path, caller, status: response.status }).toEqual({ path, caller, status: expected[caller] });
        if (expected[caller] >= 400) expect(response.body.code).toBe(PROBLEM_CODE_OF[expected[caller]]);
      }
    }
  });

  it('Swagger UI and the OpenAPI document are public (API.md "Health and operations")', async () => {
    for (const path of ['/api/docs', '/api/docs-json']) {
      const response = await send('GET', path, null, {});
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
  });

  it('the known authorization gaps are exactly the ones reported', () => {
    if (knownGapsSeen.length > 0) console.warn(`known authorization gaps (reported, not fixed here):\n  ${knownGapsSeen.join('\n  ')}`);
    expect(knownGapsSeen).toEqual(KNOWN_GAPS);
  });
});

// -----------------------------------------------------------------------------------------------
// Route discovery.

interface DiscoveredRoute {
  key: string;
  method: string;
  path: string;
}
interface DiscoveredRoutes {
  /** Every method + path the app answers with a Nest handler: what the matrix must cover. */
  endpoints: DiscoveredRoute[];
  /** Routes SwaggerModule registered straight on Fastify (public docs, checked on their own). */
  swagger: DiscoveredRoute[];
  /** The web app's files, Bull Board's routes (its own tests cover the board's admin check) and CORS's preflight answer. */
  other: DiscoveredRoute[];
  unmatchedNestHandlers: string[];
  unmatchedServerRoutes: string[];
}

/**
 * Sorts every route Fastify registered (recorded by TestApp as it happened): HEAD routes are the
 * ones Fastify adds beside each GET; the rest are Nest's endpoints, Swagger's, the web app's
 * static files (GET only, outside /api, /health, /metrics and /admin), Bull Board's under
 * /admin/queues and @fastify/cors's `OPTIONS *` (preflight answers, checked by the headers test). Nest's controller metadata is then matched against the endpoints both ways, so
 * an endpoint cannot be lost among the others.
 */
function discoverRoutes(app: NestFastifyApplication, registered: ReadonlyArray<{ method: string; url: string }>): DiscoveredRoutes {
  const found = new Map<string, DiscoveredRoute>();
  for (const { method, url } of registered) {
    if (method === 'HEAD') continue;
    found.set(`${method} ${url}`, { key: `${method} ${url}`, method, path: url });
  }
  const all = [...found.values()].sort((a, b) => a.key.localeCompare(b.key));
  const swagger = all.filter((r) => r.path === '/api/docs' || r.path.startsWith('/api/docs/') || r.path.startsWith('/api/docs-'));
  const board = all.filter((r) => r.path.startsWith('/admin/queues'));
  const webFiles = all.filter((r) => r.method === 'GET' && !/^\/(api|health|metrics|admin)(\/|$)/.test(r.path));
  const corsPreflight = all.filter((r) => r.key === 'OPTIONS *');
  const endpoints = all.filter((r) => !swagger.includes(r) && !board.includes(r) && !webFiles.includes(r) && !corsPreflight.includes(r));

  const nest = nestHandlers(app);
  const prefixed = (path: string) => [path, `/api/v1${path}`];
  const unmatchedNestHandlers = nest.filter((h) => !endpoints.some((e) => e.method === h.method && prefixed(h.path).includes(e.path))).map((h) => `${h.method} ${h.path}`);
  const unmatchedServerRoutes = endpoints.filter((e) => !nest.some((h) => e.method === h.method && prefixed(h.path).includes(e.path))).map((e) => e.key);
  return { endpoints, swagger, other: [...board, ...webFiles, ...corsPreflight], unmatchedNestHandlers, unmatchedServerRoutes };
}

/** Every controller handler with its method and path (before the global prefix), from Nest's metadata. */
function nestHandlers(app: NestFastifyApplication): Array<{ method: string; path: string }> {
  const scanner = new MetadataScanner();
  const handlers: Array<{ method: string; path: string }> = [];
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value ?? '/')]);
  const normalize = (path: string) => `/${path.split('/').filter(Boolean).join('/')}`;
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const prefixes = list(Reflect.getMetadata(PATH_METADATA, controller));
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name] as object;
        const subPath: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        if (subPath === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        for (const prefix of prefixes) for (const path of list(subPath)) handlers.push({ method, path: normalize(`${prefix}/${path}`) });
      }
    }
  }
  return handlers;
}
