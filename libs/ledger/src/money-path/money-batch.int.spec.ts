import { randomInt } from 'node:crypto';
import { Client } from 'pg';
import type { Response } from 'supertest';
import { accountNumberFromPayload } from '@bank/contracts/account-number';
import { SecretHasher } from '@bank/users/secret-hasher';
import { bearer, TEST_PIN, TestApp, type TestCustomer } from '../../../../test/support/test-app';
import { testDatabaseUrl } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/live-client';
import { LedgerService } from '../ledger.service';
import { refusalError } from './money-answer';
import type { MoneyRefusal } from './money-command';

/**
 * Group commit through the real api: commands that arrive while a batch is in flight go to
 * PostgreSQL together, in one transaction, and each caller still gets exactly its own answer.
 *
 * To make a batch form on purpose, a test holds the one batch slot (MONEY_BATCHES_IN_FLIGHT=1):
 * another session locks an account row, a deposit to it waits in PostgreSQL, and every command
 * sent meanwhile queues in arrival order until the lock is released.
 */
describe('money commands batched by group commit (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let db: Client;
  beforeAll(async () => {
    t = await TestApp.start({ MONEY_BATCHES_IN_FLIGHT: '1', MONEY_BATCH_MAX: '256' });
    db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const ledger = () => t.app.get(LedgerService);

  /** Occupies the batch slot until release(): queued commands then go as one batch. */
  async function holdBatchSlot(): Promise<{ release: () => Promise<void> }> {
    const holder = await t.newFundedCustomer(1);
    await db.query('begin');
    await db.query('select 1 from accounts where id = $1 for update', [holder.accountId]);
    const stuck = t.http().post(`/api/v1/accounts/${holder.accountId}/deposits`).set(bearer(holder.accessToken)).send({ amount: 1 }).then((r) => r);
    await eventually(
      async () => (await db.query(`select 1 from pg_stat_activity where application_name = 'bankingcore-money-path' and wait_event_type = 'Lock'`)).rowCount === 1,
      'the holding deposit to wait on the row lock',
    );
    return {
      release: async () => {
        await db.query('commit');
        expect((await stuck).status).toBe(201);
      },
    };
  }

  /** Sends the requests one after another into the held slot, so the batch holds them in this order. */
  async function sendQueued(requests: Array<() => PromiseLike<Response>>): Promise<Array<Promise<Response>>> {
    const answers: Array<Promise<Response>> = [];
    for (const send of requests) {
      const before = ledger().waitingCommands;
      answers.push(Promise.resolve(send()));
      await eventually(() => ledger().waitingCommands === before + 1, 'the command to queue');
    }
    return answers;
  }

  async function batchSizesObserved(): Promise<{ count: number; sum: number }> {
    const text = (await t.http().get('/metrics').expect(200)).text;
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    return { count: value('bankingcore_money_batch_commands_count'), sum: value('bankingcore_money_batch_commands_sum') };
  }

  interface World {
    alice: TestCustomer;
    bob: TestCustomer;
    carol: TestCustomer;
    dave: TestCustomer;
  }

  async function newWorld(): Promise<World> {
    const [alice, bob, carol, dave] = await Promise.all([
      t.newFundedCustomer(10_000, { fullName: 'Alice Batch' }),
      t.newCustomer({ fullName: 'Bob Batch' }),
      t.newFundedCustomer(5_000, { fullName: 'Carol Frozen' }),
      t.newFundedCustomer(2_000, { fullName: 'Dave Other' }),
    ]);
    await t.sql('update accounts set daily_limit = 1000 where id = ?', [alice.accountId]);
    await t.sql(`update accounts set status = 'frozen' where id = ?`, [carol.accountId]);
    return { alice, bob, carol, dave };
  }

  const transfer = (from: TestCustomer, fromAccountId: string, toAccountNumber: string, amount: number, key?: string) => () => {
    const request = t.http().post('/api/v1/transfers').set(bearer(from.accessToken));
    return (key ? request.set('Idempotency-Key', key) : request).send({ fromAccountId, toAccountNumber, amount });
  };
  const deposit = (c: TestCustomer, amount: number, key?: string) => () => {
    const request = t.http().post(`/api/v1/accounts/${c.accountId}/deposits`).set(bearer(c.accessToken));
    return (key ? request.set('Idempotency-Key', key) : request).send({ amount });
  };
  const withdraw = (c: TestCustomer, amount: number, pin: string, key?: string) => () => {
    const request = t.http().post(`/api/v1/accounts/${c.accountId}/withdrawals`).set(bearer(c.accessToken));
    return (key ? request.set('Idempotency-Key', key) : request).send({ amount, pin });
  };

  function unknownNumber(w: World): string {
    const taken = new Set([w.alice, w.bob, w.carol, w.dave].map((c) => c.accountNumber));
    let number = accountNumberFromPayload(String(randomInt(10_000_000_000, 99_999_999_999)));
    while (taken.has(number)) number = accountNumberFromPayload(String(randomInt(10_000_000_000, 99_999_999_999)));
    return number;
  }

  /** Every kind of answer, with the daily limit crossed mid-batch and keys repeated inside it. */
  function mixedCommands(w: World): Array<() => PromiseLike<Response>> {
    const { alice, bob, carol, dave } = w;
    return [
      transfer(alice, alice.accountId, bob.accountNumber, 600),
      transfer(alice, alice.accountId, bob.accountNumber, 500, 'limit-crossed'), // 400 of the limit left: refused
      transfer(alice, alice.accountId, bob.accountNumber, 400, 'limit-exact'),
      transfer(alice, alice.accountId, bob.accountNumber, 400, 'limit-exact'), // the same again: a replay
      transfer(alice, alice.accountId, bob.accountNumber, 1, 'limit-exact'), // another body: reused
      transfer(carol, carol.accountId, bob.accountNumber, 100), // frozen source
      transfer(bob, bob.accountId, alice.accountNumber, 5_000, 'overdraft'), // bob holds 1,000 by now
      deposit(bob, 300, 'cash-in'),
      deposit(bob, 300, 'cash-in'),
      withdraw(alice, 100, TEST_PIN),
      withdraw(alice, 100, '0000'),
      withdraw(alice, 100, TEST_PIN, 'atm'), // right PIN: the count starts again
      transfer(alice, alice.accountId, unknownNumber(w), 1),
      transfer(alice, dave.accountId, bob.accountNumber, 1), // someone else's source
      transfer(alice, alice.accountId, bob.accountNumber, 500, 'limit-crossed'), // the stored refusal again
      transfer(bob, bob.accountId, alice.accountNumber, 5_000, 'overdraft'),
    ];
  }

  /** An answer with this world's ids, numbers and times replaced by their order of first appearance. */
  function normalized(answers: Response[]): string[] {
    const names = new Map<string, string>();
    const name = (value: string, kind: string) => {
      if (!names.has(value)) names.set(value, `<${kind}${names.size}>`);
      return names.get(value)!;
    };
    return answers.map((answer) =>
      `${answer.status} ${answer.headers['idempotent-replayed'] ?? '-'} ${answer.text}`
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => name(id, 'id'))
        .replace(/\b\d{12}\b/g, (number) => name(number, 'number'))
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>'),
    );
  }

  async function expectLedgerConsistent(w: World): Promise<void> {
    const ids = [w.alice, w.bob, w.carol, w.dave].map((c) => c.accountId);
    const rows = await t.sql<{ balance: string; entries: string | null; last_after: string | null }>(
      `select a.balance, (select sum(amount) from ledger_entries e where e.account_id = a.id) as entries,
              (select balance_after from ledger_entries e where e.account_id = a.id order by account_seq desc limit 1) as last_after
       from accounts a where a.id in (?)`,
      [ids],
    );
    for (const row of rows) {
      expect(Number(row.balance)).toBe(Number(row.entries ?? 0));
      expect(Number(row.balance)).toBe(Number(row.last_after ?? 0));
      expect(Number(row.balance)).toBeGreaterThanOrEqual(0);
    }
  }

  it('answers a batch exactly as the same commands sent one after the other, each caller its own answer', async () => {
    const oneByOne = await newWorld();
    const sequentialAnswers: Response[] = [];
    for (const send of mixedCommands(oneByOne)) sequentialAnswers.push(await send());

    const batched = await newWorld();
    const before = await batchSizesObserved();
    const slot = await holdBatchSlot();
    const queued = await sendQueued(mixedCommands(batched));
    expect(ledger().waitingCommands).toBe(queued.length);
    await slot.release();
    const batchedAnswers = await Promise.all(queued);
    const after = await batchSizesObserved();
    // The holder's call, then one batch with every queued command.
    expect(after.count - before.count).toBe(2);
    expect(after.sum - before.sum).toBe(1 + queued.length);

    expect(normalized(batchedAnswers)).toEqual(normalized(sequentialAnswers));
    expect(batchedAnswers.map((a) => a.status)).toEqual([201, 422, 201, 201, 422, 422, 422, 201, 201, 201, 422, 201, 404, 404, 422, 422]);
    expect(batchedAnswers[1].body).toMatchObject({ code: 'DAILY_LIMIT_EXCEEDED', remaining: 400 });
    expect(batchedAnswers[4].body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(batchedAnswers[10].body).toMatchObject({ code: 'PIN_INVALID', attemptsLeft: 2 });
    // A replay inside the batch is the first answer byte for byte, refusals included.
    for (const [first, replay] of [
      [2, 3],
      [7, 8],
      [1, 14],
      [6, 15],
    ]) {
      expect(batchedAnswers[replay].headers['idempotent-replayed']).toBe('true');
      expect(batchedAnswers[first].headers['idempotent-replayed']).toBeUndefined();
      expect(batchedAnswers[replay].text).toBe(batchedAnswers[first].text);
      expect(batchedAnswers[replay].headers['content-type']).toBe(batchedAnswers[first].headers['content-type']);
    }

    for (const w of [oneByOne, batched]) {
      await expectLedgerConsistent(w);
      expect(await t.balanceOf(w.alice.accountId)).toBe(10_000 - 600 - 400 - 100 - 100);
      expect(await t.balanceOf(w.bob.accountId)).toBe(1_000 + 300);
      const [card] = await t.sql<{ failed_pin_attempts: number }>('select failed_pin_attempts from cards where owner_id = ?', [w.alice.user.id]);
      expect(card.failed_pin_attempts).toBe(0);
      const pinEvents = await t.sql<{ n: number }>(`select count(*)::int as n from security_events where type = 'pin.failed' and user_id = ?`, [w.alice.user.id]);
      expect(pinEvents[0].n).toBe(1);
    }
  });

  it('stores each refusal under the HTTP status the api answers it with', async () => {
    const samples: MoneyRefusal[] = [
      { code: 'NOT_FOUND', params: { subject: 'card' } },
      { code: 'ACCOUNT_FROZEN', params: { accountStatus: 'frozen', role: 'source' } },
      { code: 'INSUFFICIENT_FUNDS', params: { balance: 1, amount: 2 } },
      { code: 'DAILY_LIMIT_EXCEEDED', params: { dailyLimit: 10, remaining: 0 } },
      { code: 'CURRENCY_MISMATCH', params: { from: 'USD', to: 'EUR' } },
      { code: 'SELF_TRANSFER', params: {} },
      { code: 'PIN_INVALID', params: { attemptsLeft: 1 } },
      { code: 'CARD_BLOCKED', params: {} },
    ];
    for (const refusal of samples) {
      const [{ stored }] = await t.sql<{ stored: { status: number; body: { refusal: MoneyRefusal } } }>('select money_refusal(?, ?::json) as stored', [refusal.code, JSON.stringify(refusal.params)]);
      expect(stored.body.refusal).toEqual(refusal);
      expect(stored.status).toBe(refusalError(refusal).status);
    }
  });

  it('fails only the command PostgreSQL refuses when a batch errors: the batch is sent again one by one', async () => {
    const alice = await t.newFundedCustomer(1_000);
    const bob = await t.newCustomer();
    // An account in a currency without a cash account: its deposit makes money_execute raise.
    const euroNumber = accountNumberFromPayload(`6${String(Date.now()).slice(-10)}`);
    const [euro] = await t.sql<{ id: string }>(`insert into accounts (id, owner_id, number, kind, type, currency) values (gen_random_uuid(), ?, ?, 'customer', 'checking', 'EUR') returning id`, [
      alice.user.id,
      euroNumber,
    ]);
    const slot = await holdBatchSlot();
    const queued = await sendQueued([
      deposit(alice, 100, 'before'),
      () => t.http().post(`/api/v1/accounts/${euro.id}/deposits`).set(bearer(alice.accessToken)).set('Idempotency-Key', 'euro').send({ amount: 100 }),
      transfer(alice, alice.accountId, bob.accountNumber, 50, 'after'),
    ]);
    await slot.release();
    const [before, failed, after] = await Promise.all(queued);
    expect([before.status, failed.status, after.status]).toEqual([201, 500, 201]);
    expect(failed.body.code).toBe('INTERNAL_ERROR');
    expect(await t.balanceOf(alice.accountId)).toBe(1_050);
    expect(await t.balanceOf(bob.accountId)).toBe(50);
    expect(await t.balanceOf(euro.id)).toBe(0);
    // The refused command left no key behind: it can be tried again.
    expect(await t.sql(`select 1 from idempotency_keys where user_id = ? and key = 'euro'`, [alice.user.id])).toHaveLength(0);
    expect((await t.sql(`select 1 from idempotency_keys where user_id = ? and key in ('before', 'after')`, [alice.user.id])).length).toBe(2);
  });

  it('checks a withdrawal’s PIN again when the card’s PIN changed between the check and the command', async () => {
    const hasher = t.app.get(SecretHasher);
    for (const [newPin, expected] of [
      ['9999', 422],
      [TEST_PIN, 201],
    ] as const) {
      const c = await t.newFundedCustomer(1_000);
      const slot = await holdBatchSlot();
      const [answer] = await sendQueued([withdraw(c, 100, TEST_PIN)]);
      // A PIN reset lands after the api checked the PIN against the old hash.
      await t.sql('update cards set pin_hash = ? where owner_id = ?', [await hasher.hash(newPin), c.user.id]);
      await slot.release();
      const response = await answer;
      expect(response.status).toBe(expected);
      if (expected === 422) expect(response.body).toMatchObject({ code: 'PIN_INVALID', attemptsLeft: 2 });
      expect(await t.balanceOf(c.accountId)).toBe(expected === 201 ? 900 : 1_000);
    }
  });

  it('keeps every invariant under 300 concurrent deposits, withdrawals and transfers among 5 accounts, batches forming on their own', async () => {
    const customers = await Promise.all(Array.from({ length: 5 }, () => t.newFundedCustomer(randomInt(2_000, 6_000))));
    await t.sql(`update accounts set status = 'frozen' where id = ?`, [customers[4].accountId]);
    await t.sql('update accounts set daily_limit = 3000 where id = ?', [customers[0].accountId]);
    const ids = customers.map((c) => c.accountId);
    const totalBefore = (await t.sql<{ total: string }>('select sum(balance) as total from accounts where id in (?)', [ids]))[0].total;
    const batchesBefore = await batchSizesObserved();

    type Planned = { tag: string; kind: 'transfer' | 'deposit' | 'withdrawal'; from: number; to: number; amount: number; key: string };
    const plan: Planned[] = [];
    for (let i = 0; i < 300; i++) {
      if (i > 0 && randomInt(8) === 0) {
        plan.push(plan[randomInt(i)]); // a client retrying with the same key and body
        continue;
      }
      const kind = (['transfer', 'transfer', 'transfer', 'deposit', 'withdrawal'] as const)[randomInt(5)];
      const from = randomInt(5);
      plan.push({ tag: `stress-${i}`, kind, from, to: (from + 1 + randomInt(4)) % 5, amount: randomInt(1, 2_500), key: `stress-${i}` });
    }
    const send = (p: Planned): PromiseLike<Response> => {
      const c = customers[p.from];
      const path = p.kind === 'transfer' ? '/api/v1/transfers' : `/api/v1/accounts/${c.accountId}/${p.kind === 'deposit' ? 'deposits' : 'withdrawals'}`;
      const body =
        p.kind === 'transfer'
          ? { fromAccountId: c.accountId, toAccountNumber: customers[p.to].accountNumber, amount: p.amount, description: p.tag }
          : { amount: p.amount, description: p.tag, ...(p.kind === 'withdrawal' ? { pin: TEST_PIN } : {}) };
      return t.http().post(path).set(bearer(c.accessToken)).set('Idempotency-Key', p.key).send(body);
    };
    const answers = await Promise.all(plan.map(send));

    const batchesAfter = await batchSizesObserved();
    // Fewer calls than commands: batches formed.
    expect(batchesAfter.sum - batchesBefore.sum).toBe(plan.length);
    expect(batchesAfter.count - batchesBefore.count).toBeLessThan(plan.length);

    const byKey = new Map<string, Response[]>();
    answers.forEach((answer, i) => byKey.set(plan[i].key, [...(byKey.get(plan[i].key) ?? []), answer]));
    for (const group of byKey.values()) {
      for (const answer of group) expect(answer.text).toBe(group[0].text);
      expect(group.filter((a) => a.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    }

    // Each caller's own answer: its transaction carries its description, and the balance it was
    // told is the balance after its own entry.
    const posted = await t.sql<{ description: string; id: string; kind: string; amount: string; account_id: string; balance_after: string }>(
      `select x.description, x.id, x.kind, x.amount, e.account_id, e.balance_after from ledger_transactions x
       join ledger_entries e on e.transaction_id = x.id where x.description like 'stress-%' and e.account_id in (?)`,
      [ids],
    );
    for (const [i, answer] of answers.entries()) {
      const p = plan[i];
      const rows = posted.filter((row) => row.description === p.tag);
      expect([201, 422]).toContain(answer.status);
      if (answer.status !== 201) {
        expect(rows).toHaveLength(0);
        expect(['INSUFFICIENT_FUNDS', 'ACCOUNT_FROZEN', 'DAILY_LIMIT_EXCEEDED']).toContain(answer.body.code);
        continue;
      }
      expect(answer.body.transaction).toMatchObject({ id: rows[0].id, kind: p.kind, amount: p.amount, description: p.tag });
      const own = rows.find((row) => row.account_id === customers[p.from].accountId)!;
      expect(answer.body.account).toMatchObject({ id: customers[p.from].accountId, balance: Number(own.balance_after) });
    }
    for (const answer of answers.filter((_, i) => plan[i].from === 4 && plan[i].kind !== 'deposit')) expect(answer.body.code).toBe('ACCOUNT_FROZEN');

    const moved = [...byKey.entries()].map(([key, group]) => ({ planned: plan.find((p) => p.key === key)!, answer: group[0] })).filter((x) => x.answer.status === 201);
    const cashIn = moved.reduce((sum, x) => sum + (x.planned.kind === 'deposit' ? x.planned.amount : x.planned.kind === 'withdrawal' ? -x.planned.amount : 0), 0);
    const totalAfter = (await t.sql<{ total: string }>('select sum(balance) as total from accounts where id in (?)', [ids]))[0].total;
    expect(Number(totalAfter)).toBe(Number(totalBefore) + cashIn);
    for (const c of customers) {
      const [row] = await t.sql<{ balance: string; entries: string }>(`select a.balance, (select sum(amount) from ledger_entries where account_id = a.id) as entries from accounts a where a.id = ?`, [c.accountId]);
      expect(Number(row.balance)).toBe(Number(row.entries));
      expect(Number(row.balance)).toBeGreaterThanOrEqual(0);
    }
    const admin = await t.admin();
    const check = await t.http().get('/api/v1/admin/ledger/check').set(bearer(admin.accessToken)).expect(200);
    expect(check.body).toMatchObject({ balanced: true, sumOfBalances: 0, mismatches: [], unbalancedTransactions: [], negativeBalances: [] });
  });
});
