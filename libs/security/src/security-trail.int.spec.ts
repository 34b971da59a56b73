import { bearer, TestApp, TEST_PIN } from '../../../test/support/test-app';

describe('the security trail records PIN failures, card blocks and refresh-token reuse (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const eventsOf = (userId: string) => t.sql<{ type: string; detail: Record<string, unknown> }>('select type, detail from security_events where user_id = ? order by id', [userId]);

  it('3 wrong PINs: pin.failed with the attempts left each time, then card.blocked; the PIN tried is never stored', async () => {
    const c = await t.newFundedCustomer(10_000);
    for (const pin of ['9911', '9922', '9933']) await t.http().post(`/api/v1/accounts/${c.accountId}/withdrawals`).set(bearer(c.accessToken)).send({ amount: 100, pin });
    expect((await t.http().post(`/api/v1/accounts/${c.accountId}/withdrawals`).set(bearer(c.accessToken)).send({ amount: 100, pin: TEST_PIN })).body.code).toBe('CARD_BLOCKED');
    const events = await eventsOf(c.user.id);
    expect(events.map((e) => [e.type, e.detail.attemptsLeft])).toEqual([
      ['pin.failed', 2],
      ['pin.failed', 1],
      ['pin.failed', 0],
      ['card.blocked', undefined],
    ]);
    expect(JSON.stringify(events)).not.toMatch(/99[123][123]/);
    const pushed = await t.sql<{ n: number }>(`select count(*)::int as n from outbox_events where recipient = 'role:admin' and type = 'security.event' and payload->>'userId' = ?`, [c.user.id]);
    expect(pushed[0].n).toBe(4);
  });

  it('a refresh token used twice: token.reused with the family, the family revoked', async () => {
    const c = await t.newCustomer();
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: c.refreshToken }).expect(200);
    expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: c.refreshToken }).expect(401)).body.code).toBe('TOKEN_REUSED');
    const events = await eventsOf(c.user.id);
    expect(events.map((e) => e.type)).toEqual(['token.reused']);
    expect(events[0].detail).toEqual({ familyId: expect.any(String) });
    expect(JSON.stringify(events)).not.toContain(c.refreshToken);
  });

  it('an admin creating staff is audited: staff.created with who, the role and the email, in the same transaction (a duplicate leaves no event)', async () => {
    const admin = await t.admin();
    const employee = await t.newStaff('employee');
    const [event] = await eventsOf(employee.user.id);
    expect(event).toEqual({ type: 'staff.created', detail: { by: admin.user.id, role: 'employee', email: employee.email } });
    await t.http().post('/api/v1/admin/staff').set(bearer(admin.accessToken)).set('X-Admin-Key', t.config.adminKey).send({ email: employee.email, password: 'another-password-1', fullName: 'Duplicate', role: 'admin' }).expect(409);
    const [{ n }] = await t.sql<{ n: number }>(`select count(*)::int as n from security_events where type = 'staff.created' and detail->>'email' = ?`, [employee.email]);
    expect(n).toBe(1);
    const pushed = await t.sql<{ n: number }>(`select count(*)::int as n from outbox_events where type = 'security.event' and payload->>'type' = 'staff.created' and payload->>'userId' = ?`, [employee.user.id]);
    expect(pushed[0].n).toBe(1);
  });
});
