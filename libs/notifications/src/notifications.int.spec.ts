import type { NotificationCreatedData, NotificationPage, NotificationView } from '@bank/contracts/notifications';
import { bearer, TEST_PIN, type TestApp, type TestCustomer } from '../../../test/support/test-app';
import { eventually, LiveClient } from '../../../test/support/live-client';
import { OwnPlatform } from '../../../test/support/own-platform';
import { RequestFlow } from '../../../test/support/request-flow';

const NOTIFICATION_KEYS = ['id', 'kind', 'title', 'body', 'link', 'readAt', 'createdAt'].sort();

/**
 * The notification center (issue 18): stored with their cause, listed with the exact unread count,
 * marked read, pushed live to every device and replayed after a reconnect. A database and Redis
 * prefix of this file's own, with the worker (relay, request pipeline) in this process.
 */
describe('notifications (HTTP, Socket.IO, real PostgreSQL and Redis, in-process worker)', () => {
  let platform: OwnPlatform;
  let t: TestApp;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    platform = await OwnPlatform.start('notifications', {}, { REQUEST_SWEEP_INTERVAL_S: '3600' });
    t = platform.app;
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await platform?.close();
  });

  const flow = new RequestFlow(
    () => t,
    () => platform.employee,
  );
  const list = async (who: { accessToken: string }, query: Record<string, string | number> = {}) =>
    (await t.http().get('/api/v1/notifications').query(query).set(bearer(who.accessToken)).expect(200)).body as NotificationPage;
  const markRead = (who: { accessToken: string }, body: unknown) => t.http().post('/api/v1/notifications/read').set(bearer(who.accessToken)).send(body as object);
  const send = (from: TestCustomer, to: TestCustomer, amount: number, description?: string) =>
    t
      .http()
      .post('/api/v1/transfers')
      .set(bearer(from.accessToken))
      .send({ fromAccountId: from.accountId, toAccountNumber: to.accountNumber, amount, ...(description ? { description } : {}) });
  const stored = (userId: string) =>
    t.sql<{ kind: string; link_id: string | null; read_at: string | null }>('select kind, link_id, read_at::text from notifications where user_id = ? order by seq', [userId]);
  const unreadStored = async (userId: string) => {
    const [row] = await t.sql<{ counted: number; actual: number }>(
      `select unread_count as counted, (select count(*)::int from notifications where user_id = ? and read_at is null) as actual
         from notification_inbox where user_id = ?`,
      [userId, userId],
    );
    return row;
  };
  const connect = async (token: string, fromEventId?: string) => {
    const client = await LiveClient.resuming(t.url, token, fromEventId);
    clients.push(client);
    return client;
  };

  /** A customer whose registration notifications (the initial deposit) are read: a clean inbox. */
  const quietCustomer = async (balance: number, fullName?: string) => {
    const customer = balance > 0 ? await t.newFundedCustomer(balance, { fullName }) : await t.newCustomer({ fullName });
    const page = await list(customer);
    if (page.items.length > 0) await markRead(customer, { upTo: page.items[0].id }).expect(200);
    return customer;
  };

  it('a transfer notifies exactly one money.sent to the sender and one money.received to the recipient, linked to it', async () => {
    const [alice, bob] = [await quietCustomer(50_000, 'Alice Sender'), await quietCustomer(0, 'Bob Receiver')];
    const moved = await send(alice, bob, 1_250, 'Rent').expect(201);
    const transactionId = moved.body.transaction.id as string;

    const [ofAlice, ofBob] = [await list(alice, { unread: 'true' }), await list(bob, { unread: 'true' })];
    expect(ofAlice.items.map((n) => n.kind)).toEqual(['money.sent']);
    expect(ofBob.items.map((n) => n.kind)).toEqual(['money.received']);
    expect(ofAlice.unreadCount).toBe(1);
    expect(ofBob.unreadCount).toBe(1);
    const [sent, received] = [ofAlice.items[0], ofBob.items[0]];
    expect(Object.keys(sent).sort()).toEqual(NOTIFICATION_KEYS);
    expect(sent).toMatchObject({ title: 'Money sent', body: '12.50 USD to Bob Receiver — Rent', link: { type: 'transaction', id: transactionId }, readAt: null });
    expect(received).toMatchObject({ title: 'Money received', body: '12.50 USD from Alice Sender — Rent', link: { type: 'transaction', id: transactionId }, readAt: null });
    expect(new Date(sent.createdAt).toISOString()).toBe(sent.createdAt);
    // Exactly one each in the database too, none to anyone else.
    expect((await stored(alice.user.id)).filter((n) => n.link_id === transactionId)).toHaveLength(1);
    expect((await stored(bob.user.id)).filter((n) => n.link_id === transactionId)).toHaveLength(1);
    const [{ n }] = await t.sql<{ n: number }>('select count(*)::int as n from notifications where link_id = ?', [transactionId]);
    expect(n).toBe(2);
  });

  it('a refused transfer notifies nobody; a replayed one (same Idempotency-Key) notifies once', async () => {
    const [alice, bob] = [await quietCustomer(1_000), await quietCustomer(0)];
    await send(bob, alice, 500).expect(422);
    const key = `notify-${Date.now()}`;
    for (let i = 0; i < 2; i++) {
      await t.http().post('/api/v1/transfers').set(bearer(alice.accessToken)).set('Idempotency-Key', key).send({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 100 }).expect(201);
    }
    expect((await list(alice)).unreadCount).toBe(1);
    expect((await list(bob)).unreadCount).toBe(1);
  });

  it('a held transfer notifies hold.updated (pending), and its cancellation hold.updated again — no money notification until it posts', async () => {
    const [alice, bob] = [await quietCustomer(2_000_000), await quietCustomer(0)];
    const held = await send(alice, bob, 600_000).expect(202);
    const holdId = held.body.hold.id as string;
    let page = await list(alice, { unread: 'true' });
    expect(page.items.map((n) => [n.kind, n.title, n.link])).toEqual([['hold.updated', 'Transfer held for review', { type: 'hold', id: holdId }]]);
    expect((await list(bob)).items).toEqual([]);
    await t.http().post(`/api/v1/holds/${holdId}/cancel`).set(bearer(alice.accessToken)).expect(200);
    page = await list(alice, { unread: 'true' });
    expect(page.items.map((n) => n.title)).toEqual(['Held transfer cancelled', 'Transfer held for review']);
    expect(page.unreadCount).toBe(2);
  });

  it('a request that ends or waits for its owner notifies them (request.updated); its intermediate moves do not', async () => {
    const customer = await quietCustomer(0);
    const request = await flow.submit(customer, { type: 'card_pin_reset', details: {} });
    await flow.decide(request.id, customer);
    await flow.reach(request.id, 'awaiting_customer', customer);
    await eventually(async () => (await list(customer)).unreadCount === 1, 'the awaiting_customer notification');
    const [notification] = (await list(customer)).items;
    expect(notification).toMatchObject({ kind: 'request.updated', title: 'Your input is needed', link: { type: 'request', id: request.id } });
    expect(notification.body).toMatch(/^Card PIN reset was approved/);
  });

  it('three wrong PINs notify security.card_blocked to the card’s owner once', async () => {
    const customer = await quietCustomer(5_000);
    const wrongPin = TEST_PIN.split('').reverse().join('');
    for (let i = 0; i < 3; i++) {
      await t.http().post(`/api/v1/accounts/${customer.accountId}/withdrawals`).set(bearer(customer.accessToken)).send({ amount: 100, pin: wrongPin }).expect(422);
    }
    await t.http().post(`/api/v1/accounts/${customer.accountId}/withdrawals`).set(bearer(customer.accessToken)).send({ amount: 100, pin: wrongPin }).expect(423);
    const page = await list(customer, { unread: 'true' });
    expect(page.items.map((n) => n.kind)).toEqual(['security.card_blocked']);
    expect(page.items[0]).toMatchObject({ title: 'Card blocked', link: null });
  });

  it('lists newest first in keyset pages; ?unread=true lists the unread only; unreadCount counts them all', async () => {
    const [alice, bob] = [await quietCustomer(100_000), await quietCustomer(0)];
    for (let i = 1; i <= 5; i++) await send(alice, bob, i).expect(201);
    const first = await list(bob, { limit: 2 });
    expect(first.items.map((n) => n.body)).toEqual([expect.stringMatching(/^0\.05 USD/), expect.stringMatching(/^0\.04 USD/)]);
    expect(first.unreadCount).toBe(5);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await list(bob, { limit: 2, cursor: first.nextCursor! });
    const third = await list(bob, { limit: 2, cursor: second.nextCursor! });
    const all = [...first.items, ...second.items, ...third.items];
    expect(third.nextCursor).toBeNull();
    expect(all).toHaveLength(5);
    // Read the newest two by id: the unread filter leaves the other three.
    expect((await markRead(bob, { ids: [all[0].id, all[1].id] }).expect(200)).body).toEqual({ unreadCount: 3 });
    const unread = await list(bob, { unread: 'true' });
    expect(unread.items.map((n) => n.id)).toEqual(all.slice(2).map((n) => n.id));
    expect(unread.unreadCount).toBe(3);
    expect(unread.nextCursor).toBeNull();
  });

  it('marks read up to an id (that one and every older one), counts exactly, and marking again changes nothing', async () => {
    const [alice, bob] = [await quietCustomer(100_000), await quietCustomer(0)];
    for (let i = 1; i <= 4; i++) await send(alice, bob, 10 * i).expect(201);
    const page = await list(bob, { unread: 'true' });
    expect(page.unreadCount).toBe(4);
    // page.items: 40, 30, 20, 10 — up to the 30 leaves only the newest (40) unread.
    expect((await markRead(bob, { upTo: page.items[1].id }).expect(200)).body).toEqual({ unreadCount: 1 });
    expect((await list(bob, { unread: 'true' })).items.map((n) => n.id)).toEqual([page.items[0].id]);
    const read = (await t.http().get(`/api/v1/notifications/${page.items[1].id}`).set(bearer(bob.accessToken)).expect(200)).body as NotificationView;
    expect(read.readAt).toEqual(expect.any(String));
    const readAtBefore = (await stored(bob.user.id)).map((n) => n.read_at);
    expect((await markRead(bob, { upTo: page.items[1].id }).expect(200)).body).toEqual({ unreadCount: 1 });
    expect((await markRead(bob, { ids: [page.items[3].id, page.items[3].id] }).expect(200)).body).toEqual({ unreadCount: 1 });
    expect((await stored(bob.user.id)).map((n) => n.read_at)).toEqual(readAtBefore);
    expect(await unreadStored(bob.user.id)).toEqual({ counted: 1, actual: 1 });
  });

  it('another customer’s notifications are invisible and unchangeable: 404 by id, nothing read', async () => {
    const [alice, bob, mallory] = [await quietCustomer(10_000), await quietCustomer(0), await quietCustomer(0)];
    await send(alice, bob, 77).expect(201);
    const [bobs] = (await list(bob)).items;
    const employee = platform.employee;
    for (const who of [mallory, employee]) {
      expect((await list(who)).items.map((n) => n.id)).not.toContain(bobs.id);
      const get = await t.http().get(`/api/v1/notifications/${bobs.id}`).set(bearer(who.accessToken)).expect(404);
      expect(get.body.code).toBe('NOT_FOUND');
      expect((await markRead(who, { upTo: bobs.id }).expect(404)).body.code).toBe('NOT_FOUND');
      // One of the caller's own beside another's: still 404, and the caller's own stays unread too.
      await markRead(who, { ids: [bobs.id] }).expect(404);
    }
    const own = await quietCustomer(1_000);
    await send(own, mallory, 1).expect(201);
    const [mallorys] = (await list(mallory, { unread: 'true' })).items;
    await markRead(mallory, { ids: [mallorys.id, bobs.id] }).expect(404);
    expect((await list(mallory)).unreadCount).toBe(1);
    expect((await list(bob)).unreadCount).toBe(1);
    expect((await stored(bob.user.id)).every((n) => n.read_at === null || n.link_id !== bobs.link?.id)).toBe(true);
    // A made-up id, and one that is not an id: 404 too.
    await t.http().get(`/api/v1/notifications/${crypto.randomUUID()}`).set(bearer(bob.accessToken)).expect(404);
    await t.http().get('/api/v1/notifications/not-an-id').set(bearer(bob.accessToken)).expect(404);
    await t.http().get('/api/v1/notifications').expect(401);
  });

  it('bad bodies and queries are 400 VALIDATION_FAILED and change nothing', async () => {
    const [alice, bob] = [await quietCustomer(10_000), await quietCustomer(0)];
    await send(alice, bob, 5).expect(201);
    const [notification] = (await list(bob)).items;
    const bad: unknown[] = [
      {},
      { upTo: notification.id, ids: [notification.id] },
      { upTo: 'not-a-uuid' },
      { upTo: 42 },
      { ids: [] },
      { ids: 'x' },
      { ids: [notification.id, 'nope'] },
      { ids: Array.from({ length: 101 }, () => notification.id) },
      { upTo: notification.id, extra: true },
      [notification.id],
      null,
    ];
    for (const body of bad) {
      const response = await t.http().post('/api/v1/notifications/read').set(bearer(bob.accessToken)).set('Content-Type', 'application/json').send(JSON.stringify(body));
      expect([response.status, response.body.code, JSON.stringify(body)]).toEqual([400, 'VALIDATION_FAILED', JSON.stringify(body)]);
    }
    for (const query of [{ unread: 'yes' }, { limit: 0 }, { limit: 101 }, { cursor: 'bogus' }, { other: 1 }]) {
      const response = await t.http().get('/api/v1/notifications').query(query).set(bearer(bob.accessToken));
      expect([response.status, response.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await list(bob)).unreadCount).toBe(1);
    expect(await unreadStored(bob.user.id)).toEqual({ counted: 1, actual: 1 });
  });

  it('a sign-in from a new device notifies security.sign_in once; the same device again, and the first sign-in ever, do not', async () => {
    const customer = await quietCustomer(0); // registered and signed in once (its device is now known)
    expect((await list(customer)).items.filter((n) => n.kind === 'security.sign_in')).toEqual([]);
    const signIn = (userAgent: string) => t.http().post('/api/v1/auth/login').set('User-Agent', userAgent).send({ email: customer.email, password: customer.password }).expect(200);
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
    await signIn(firefox);
    await signIn(firefox);
    const alerts = (await list(customer)).items.filter((n) => n.kind === 'security.sign_in');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ title: 'New sign-in', link: null });
    expect(alerts[0].body).toContain('a new device');
    expect(alerts[0].body).toContain('(Firefox on Linux) at a known address (');
    // A wrong password from yet another device is no sign-in.
    await t.http().post('/api/v1/auth/login').set('User-Agent', 'Other/2').send({ email: customer.email, password: 'wrong-password-123' }).expect(401);
    expect((await list(customer)).items.filter((n) => n.kind === 'security.sign_in')).toHaveLength(1);
  });

  it('two sockets of one user both get notifications.read with the same unread count after one marks read', async () => {
    const [alice, bob] = [await quietCustomer(10_000), await quietCustomer(0)];
    const [tab1, tab2] = [await connect(bob.accessToken), await connect(bob.accessToken)];
    await send(alice, bob, 11).expect(201);
    await send(alice, bob, 22).expect(201);
    await eventually(() => tab1.ofType('notification.created').length === 2 && tab2.ofType('notification.created').length === 2, 'both tabs to get both notifications');
    expect(tab1.ofType('notification.created').map((e) => e.data.unreadCount)).toEqual([1, 2]);
    const [newest] = (await list(bob)).items;
    expect(tab1.ofType('notification.created')[1].data.notification).toEqual(newest);

    expect((await markRead(bob, { ids: [newest.id] }).expect(200)).body).toEqual({ unreadCount: 1 });
    await eventually(() => tab1.ofType('notifications.read').length === 1 && tab2.ofType('notifications.read').length === 1, 'both tabs to get notifications.read');
    expect(tab1.ofType('notifications.read')[0].data).toEqual({ unreadCount: 1 });
    expect(tab2.ofType('notifications.read')[0].data).toEqual({ unreadCount: 1 });
    expect(alice.user.id).not.toBe(bob.user.id);
  });

  it('a socket that reconnects with lastEventId gets the notification it missed, once', async () => {
    const [alice, bob] = [await quietCustomer(10_000), await quietCustomer(0)];
    const first = await connect(bob.accessToken);
    await send(alice, bob, 1).expect(201);
    await eventually(() => first.ofType('notification.created').length === 1, 'the first notification live');
    const lastEventId = first.lastEventId!;
    first.close();

    await send(alice, bob, 2).expect(201);
    const missed = (await list(bob)).items[0];
    const again = await connect(bob.accessToken, lastEventId);
    await eventually(() => again.ofType('notification.created').length === 1, 'the missed notification replayed');
    await send(alice, bob, 3).expect(201);
    await eventually(() => again.ofType('notification.created').length === 2, 'the next one live');
    const created = again.ofType('notification.created').map((e) => e.data as NotificationCreatedData);
    expect(created.map((d) => d.notification.id)).toEqual([missed.id, (await list(bob)).items[0].id]);
    expect(created.map((d) => d.unreadCount)).toEqual([2, 3]);
  });

  it('the stored unread count equals the unread rows after concurrent transfers and reads', async () => {
    const senders = await Promise.all([quietCustomer(100_000), quietCustomer(100_000), quietCustomer(100_000)]);
    const bob = await quietCustomer(0);
    await Promise.all(senders.flatMap((sender) => Array.from({ length: 5 }, (_, i) => send(sender, bob, i + 1).expect(201))));
    const page = await list(bob, { limit: 100 });
    await Promise.all([markRead(bob, { upTo: page.items[7].id }).expect(200), ...senders.map((sender) => send(sender, bob, 9).expect(201)), markRead(bob, { ids: [page.items[0].id] }).expect(200)]);
    const after = await list(bob, { limit: 100 });
    expect(after.unreadCount).toBe(after.items.filter((n) => n.readAt === null).length);
    expect(await unreadStored(bob.user.id)).toEqual({ counted: after.unreadCount, actual: after.unreadCount });
    expect(after.unreadCount).toBe(15 + 3 - 9);
  });
});
