import type { BalanceUpdatedData, TransactionPostedData } from '@bank/contracts/events';
import { bearer, type TestCustomer } from '../support/test-app';
import { LiveStack } from '../support/live-stack';
import { eventually, expectStrictlyIncreasingIds, LiveClient } from '../support/live-client';

const CUSTOMERS = 6;
const TRANSFERS = 200;

/**
 * At-least-once, ordered delivery through a relay crash: SIGKILL the relay while transfers are
 * being made, start another, and every committed transfer's events arrive at every recipient,
 * in order, none missing.
 */
describe('the outbox relay killed mid-stream', () => {
  let stack: LiveStack;
  const clients: LiveClient[] = [];
  beforeAll(async () => {
    stack = await LiveStack.start('kill');
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await stack.stop();
  });

  it('loses nothing: every committed transfer reaches both owners in order after a restart', async () => {
    const t = stack.app;
    const customers: TestCustomer[] = await Promise.all(Array.from({ length: CUSTOMERS }, () => t.newFundedCustomer(500_000)));
    const sockets = new Map<string, LiveClient>();
    for (const customer of customers) {
      const client = await LiveClient.connect(t.url, { token: customer.accessToken });
      clients.push(client);
      sockets.set(customer.user.id, client);
    }

    const committed: Array<{ id: string; from: TestCustomer; to: TestCustomer; amount: number }> = [];
    let made = 0;
    const transfers = (async () => {
      while (made < TRANSFERS) {
        const batch = Array.from({ length: 8 }, () => made++).filter((i) => i < TRANSFERS);
        await Promise.all(
          batch.map(async (i) => {
            const from = customers[i % CUSTOMERS];
            const to = customers[(i + 1 + (i % (CUSTOMERS - 1))) % CUSTOMERS];
            const amount = 1 + (i % 97);
            const response = await t.http().post('/api/v1/transfers').set(bearer(from.accessToken)).send({ fromAccountId: from.accountId, toAccountNumber: to.accountNumber, amount });
            if (response.status === 201) committed.push({ id: response.body.transaction.id, from, to, amount });
          }),
        );
      }
    })();

    await eventually(() => made >= 60, 'some transfers before the kill');
    const [relay] = stack.workers;
    const killed = relay.exited;
    relay.kill('SIGKILL');
    expect((await killed).signal).toBe('SIGKILL');
    await eventually(() => made >= 120, 'transfers while no relay runs', 20_000);
    await stack.startRelay();
    await transfers;
    expect(committed).toHaveLength(TRANSFERS);

    const expectedTransactions = new Map<string, Set<string>>(customers.map((c) => [c.user.id, new Set<string>()]));
    for (const transfer of committed) {
      expectedTransactions.get(transfer.from.user.id)!.add(transfer.id);
      expectedTransactions.get(transfer.to.user.id)!.add(transfer.id);
    }
    for (const customer of customers) {
      const client = sockets.get(customer.user.id)!;
      const expected = expectedTransactions.get(customer.user.id)!;
      const transferPosts = () => client.ofType('transaction.posted').filter((e) => (e.data as TransactionPostedData).kind === 'transfer');
      await eventually(() => new Set(transferPosts().map((e) => (e.data as TransactionPostedData).transactionId)).size === expected.size, `all events of ${customer.email}`, 20_000);
      // At least once on the wire, exactly once per id for the client, in increasing id order.
      const unique = client.events.filter((event, i, all) => all.findIndex((other) => other.id === event.id) === i);
      expectStrictlyIncreasingIds(unique);
      expect(new Set(transferPosts().map((e) => (e.data as TransactionPostedData).transactionId))).toEqual(expected);
      // In commit order for the account: running balances follow one another exactly.
      const posts = unique.filter((e) => e.type === 'transaction.posted').map((e) => e.data as TransactionPostedData);
      for (let i = 1; i < posts.length; i++) expect(posts[i].balanceAfter).toBe(posts[i - 1].balanceAfter + posts[i].amount);
      const lastBalance = unique.filter((e) => e.type === 'balance.updated').map((e) => (e.data as BalanceUpdatedData).balance).pop();
      expect(lastBalance).toBe(await t.balanceOf(customer.accountId));
    }
  });
});
