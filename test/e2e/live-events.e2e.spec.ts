import { createHmac } from 'node:crypto';
import type { BalanceUpdatedData, EventEnvelope, TransactionPostedData } from '@bank/contracts/events';
import { bearer, type TestCustomer } from '../support/test-app';
import { LiveStack } from '../support/live-stack';
import { eventually, expectStrictlyIncreasingIds, LiveClient } from '../support/live-client';
import Redis from 'ioredis';
import { liveEventsConnectionName } from '../../libs/realtime/src/live-events.hub';
import { REDIS_URL } from '../support/test-env';

describe('live events: Socket.IO gateway, outbox relay, replay, REST fallback', () => {
  let stack: LiveStack;
  const clients: LiveClient[] = [];
  beforeAll(async () => {
    stack = await LiveStack.start('live');
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await stack.stop();
  });
  const t = () => stack.app;
  /** The second api process, started once for the tests that need one. */
  let secondApiUrl: Promise<string> | undefined;
  const secondApi = () => (secondApiUrl ??= stack.startApi());
  const connect = async (token: string, extra: Record<string, unknown> = {}, url = t().url) => {
    const client = await LiveClient.connect(url, { token, ...extra });
    clients.push(client);
    return client;
  };
  const send = (from: TestCustomer, to: TestCustomer, amount: number) =>
    t().http().post('/api/v1/transfers').set(bearer(from.accessToken)).send({ fromAccountId: from.accountId, toAccountNumber: to.accountNumber, amount }).expect(201);
  const balances = (client: LiveClient) => client.ofType('balance.updated').map((e) => (e.data as BalanceUpdatedData).balance);

  it('pushes a transfer to both owners — balance and statement entry — and to nobody else', async () => {
    const [a, b, c] = [await t().newFundedCustomer(10_000), await t().newFundedCustomer(500), await t().newFundedCustomer(700)];
    const [sa, sb, sc] = [await connect(a.accessToken), await connect(b.accessToken), await connect(c.accessToken)];
    const moved = await send(a, b, 2_500);
    const transactionId = moved.body.transaction.id as string;
    await eventually(() => sa.events.length === 3 && sb.events.length === 3, 'both sides to get 3 events');
    expect(sa.events.map((e) => e.type)).toEqual(['balance.updated', 'transaction.posted', 'notification.created']);
    expect(sb.events.map((e) => e.type)).toEqual(['balance.updated', 'transaction.posted', 'notification.created']);
    expect(sa.events[0].data).toEqual({ accountId: a.accountId, balance: 7_500, availableBalance: 7_500, currency: 'USD', transactionId });
    expect(sb.events[0].data).toEqual({ accountId: b.accountId, balance: 3_000, availableBalance: 3_000, currency: 'USD', transactionId });
    expect(sb.events[1].data as TransactionPostedData).toMatchObject({ accountId: b.accountId, transactionId, amount: 2_500, balanceAfter: 3_000, kind: 'transfer' });
    for (const event of [...sa.events, ...sb.events]) {
      expect(event).toEqual({ id: expect.stringMatching(/^\d+$/), type: expect.any(String), occurredAt: expect.any(String), data: expect.any(Object) });
    }
    await send(b, a, 1); // a later event for others proves C's silence is not just latency
    await eventually(() => sa.events.length === 6, 'the follow-up');
    expect(sc.events).toEqual([]);
  });

  it('delivers to a socket on another api process what a transfer through the first one caused', async () => {
    const [a, b] = [await t().newFundedCustomer(10_000), await t().newCustomer()];
    const sb = await connect(b.accessToken, {}, await secondApi());
    await send(a, b, 1_234);
    await eventually(() => sb.events.length === 3, 'B on the second api to get all three events');
    expect(sb.events[0].data).toMatchObject({ accountId: b.accountId, balance: 1_234 });
  });

  it('shares presence across api processes: an employee on the second sees who views on the first, and a closed socket leaves within a second', async () => {
    const [emma, noah, customer] = await Promise.all([t().newStaff('employee'), t().newStaff('employee'), t().newCustomer()]);
    const filed = await t().http().post('/api/v1/service-requests').set(bearer(customer.accessToken)).send({ type: 'card_pin_reset' }).expect(202);
    const requestId = filed.body.id as string;
    const onFirst = await connect(emma.accessToken);
    const onSecond = await connect(noah.accessToken, {}, await secondApi());
    const customerSocket = await connect(customer.accessToken);
    const presence = (client: LiveClient) => client.signalsOf('presence.changed').filter((event) => event.requestId === requestId);

    expect(await onFirst.socket.emitWithAck('request.viewing', { requestId })).toEqual({ ok: true });
    await eventually(() => presence(onSecond).length === 1, 'presence.changed on the second api process');
    expect(presence(onSecond)[0]).toEqual({ requestId, viewers: [{ userId: emma.user.id, fullName: 'Test employee' }], version: expect.any(Number) });

    // Only staff, only a request id: refused with an answer, and nobody hears of it.
    expect(await customerSocket.socket.emitWithAck('request.viewing', { requestId })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    for (const bad of [{ requestId: 'not-an-id' }, 'just text', { requestId, extra: 1 }, null]) {
      expect(await onFirst.socket.emitWithAck('request.viewing', bad)).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    }
    expect(presence(customerSocket)).toEqual([]);

    expect(await onSecond.socket.emitWithAck('request.viewing', { requestId })).toEqual({ ok: true });
    await eventually(() => presence(onFirst).some((event) => event.viewers.length === 2), 'both viewers on the first api process');
    const closedAt = Date.now();
    onFirst.close();
    await eventually(() => presence(onSecond).at(-1)!.viewers.length === 1, 'the closed socket to leave', 5_000);
    expect(Date.now() - closedAt).toBeLessThan(1_000);
    expect(presence(onSecond).at(-1)!.viewers).toEqual([{ userId: noah.user.id, fullName: 'Test employee' }]);
    const versions = presence(onSecond).map((event) => event.version);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);

    expect(await onSecond.socket.emitWithAck('request.left', { requestId })).toEqual({ ok: true });
    await eventually(() => presence(onSecond).at(-1)!.viewers.length === 0, 'the last viewer to leave');
  });

  it('replays exactly what a socket missed after lastEventId, in order, then goes live — and the same over GET /events', async () => {
    const [a, b] = [await t().newFundedCustomer(1_000_000), await t().newCustomer()];
    const first = await connect(b.accessToken);
    await send(a, b, 1);
    await eventually(() => first.events.length === 3, 'the first transfer');
    const lastEventId = first.lastEventId!;
    first.close();

    for (let i = 2; i <= 51; i++) await send(a, b, i);
    // Reconnect while more transfers keep coming: the replay/live seam must hold.
    const during = (async () => {
      for (let i = 52; i <= 56; i++) await send(a, b, i);
    })();
    const resumed = await connect(b.accessToken, { lastEventId });
    await during;
    await eventually(() => resumed.events.length === 165, '50 missed + 5 live transfers × 3 events (balance, statement entry, notification)', 15_000);
    expectStrictlyIncreasingIds(resumed.events);
    expect(BigInt(resumed.events[0].id)).toBeGreaterThan(BigInt(lastEventId));
    const amounts = resumed.ofType('transaction.posted').map((e) => (e.data as TransactionPostedData).amount);
    expect(amounts).toEqual(Array.from({ length: 55 }, (_, i) => i + 2));
    expect(balances(resumed)).toEqual(Array.from({ length: 55 }, (_, i) => ((i + 3) * (i + 2)) / 2));

    const rest: EventEnvelope[] = [];
    let after: string | null = lastEventId;
    while (after) {
      const page: { body: { items: EventEnvelope[]; nextCursor: string | null } } = await t().http().get(`/api/v1/events?after=${after}&limit=40`).set(bearer(b.accessToken)).expect(200);
      rest.push(...page.body.items);
      after = page.body.nextCursor;
    }
    expect(rest).toEqual(resumed.events);
  });

  it('catches a socket up from the store when its api process lost the Redis subscription meanwhile', async () => {
    const b = await t().newCustomer();
    const sb = await connect(b.accessToken);
    const redis = new Redis(REDIS_URL);
    try {
      const clients = (await redis.client('LIST')) as string;
      const name = liveEventsConnectionName(stack.redisKeyPrefix);
      const ids = clients.split('\n').filter((line) => line.includes(` name=${name} `)).map((line) => /id=(\d+)/.exec(line)![1]);
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) await redis.client('KILL', 'ID', id);
      // Published at once by the relay, most likely before the subscriber is back (~50 ms).
      await t().sql(`insert into outbox_events (recipient, type, payload) values (?, 'balance.updated', '{"accountId":"x","balance":1}')`, [`user:${b.user.id}`]);
    } finally {
      redis.disconnect();
    }
    await eventually(() => sb.ofType('balance.updated').length === 1, 'the event published while the subscription was down');
    expect(sb.socket.connected).toBe(true);
  });

  it('refuses a handshake without a token, with a forged or expired token, a refresh token, or for a locked user', async () => {
    const c = await t().newCustomer();
    const [header, payload] = c.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const sign = (body: object, secret: string) => {
      const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
      return `${header}.${encoded}.${createHmac('sha256', secret).update(`${header}.${encoded}`).digest('base64url')}`;
    };
    const secret = t().config.jwtSecret;
    for (const auth of [{}, { token: '' }, { token: 'not-a-jwt' }, { token: sign(claims, 'a-wrong-secret-that-is-long-enough-000') }, { token: sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 5 }, secret) }, { token: c.refreshToken }]) {
      await expect(LiveClient.connect(t().url, auth)).rejects.toThrow('TOKEN_INVALID');
    }
    await expect(LiveClient.connect(t().url, { token: c.accessToken, lastEventId: 'ten' })).rejects.toThrow('VALIDATION_FAILED');
    const locked = await t().newCustomer();
    await t().sql(`update users set status = 'locked', locked_at = now() where id = ?`, [locked.user.id]);
    await expect(LiveClient.connect(t().url, { token: locked.accessToken })).rejects.toThrow('ACCOUNT_LOCKED');
    await expect(LiveClient.connect(t().url, { token: c.accessToken }, { extraHeaders: { Origin: 'https://evil.example' } })).rejects.toThrow();
  });

  it('never lets a client choose its rooms: a customer asking for role:admin gets no admin event', async () => {
    const customer = await t().newCustomer();
    const admin = await t().admin();
    const sc = await connect(customer.accessToken);
    const sa = await connect(admin.accessToken);
    for (const message of ['join', 'subscribe', 'room']) sc.socket.emit(message, 'role:admin');
    sc.socket.emit('join', { room: 'role:admin', userId: admin.user.id });
    await t().sql(`insert into outbox_events (recipient, type, payload) values ('role:admin', 'security.event', '{"type":"login.failed"}')`);
    await eventually(() => sa.ofType('security.event').length === 1, 'the admin to get the security event');
    expect(sc.events).toEqual([]);
    expect(sc.socket.connected).toBe(true);
  });

  it('cuts off a socket that floods the server', async () => {
    const c = await t().newCustomer();
    const flooder = await connect(c.accessToken);
    for (let i = 0; i < 100; i++) flooder.socket.emit('ping-me', i);
    await eventually(() => !flooder.socket.connected, 'the flooding socket to be disconnected');
    expect(flooder.disconnectReason).toBe('io server disconnect');
  });

  it('disconnects a socket when its access token expires', async () => {
    const c = await t().newCustomer();
    const [header, payload] = c.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const encoded = Buffer.from(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 2 })).toString('base64url');
    const token = `${header}.${encoded}.${createHmac('sha256', t().config.jwtSecret).update(`${header}.${encoded}`).digest('base64url')}`;
    const client = await connect(token);
    expect(client.socket.connected).toBe(true);
    await eventually(() => !client.socket.connected, 'the socket to be cut at expiry', 5_000);
  });
});
