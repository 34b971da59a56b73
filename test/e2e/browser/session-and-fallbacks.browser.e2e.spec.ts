import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { LiveStack } from '../../support/live-stack';
import { launchChromium, newContext, signIn } from '../../support/browser';
import { bearer } from '../../support/test-app';
import { generate as generateTotp } from 'otplib';

/** The session's life in the browser, and the fallbacks: REST polling, infinite scroll, CSV. */
describe('session, polling fallback, long histories', () => {
  let stack: LiveStack;
  let browser: Browser;
  const newPage = async (): Promise<Page> => (await newContext(browser)).newPage();
  beforeAll(async () => {
    // The shortest access token the config allows, so the silent refresh comes within seconds.
    [stack, browser] = await Promise.all([LiveStack.start('browser-session', { ACCESS_TOKEN_TTL_S: '30' }), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('refreshes the access token silently before it expires, survives a reload through the cookie, and signs out for good', async () => {
    const customer = await stack.app.newFundedCustomer(10_000);
    const page = await newPage();
    await signIn(page, stack.app.url, customer.email, customer.password, 'customer-dashboard');
    const refreshed = await page.waitForResponse((response) => response.url().endsWith('/api/v1/auth/refresh'), { timeout: 15_000 });
    expect(refreshed.status()).toBe(200);
    const { accessToken } = (await refreshed.json()) as { accessToken: string };
    const deposit = page.waitForRequest((request) => request.url().endsWith('/deposits'));
    await page.getByRole('tab', { name: 'Deposit' }).click();
    await page.locator('money-form').getByLabel('Amount (USD)').fill('1');
    await page.locator('money-form').getByRole('button', { name: 'Deposit', exact: true }).click();
    expect((await deposit).headers().authorization).toBe(`Bearer ${accessToken}`);
    await page.locator('money-form [role="status"]', { hasText: 'done' }).waitFor();

    await page.reload();
    await page.locator('customer-dashboard').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('sign-in').waitFor();
    // Signed out, this browser knows it has no session: a reload does not even try the cookie.
    const refreshes: string[] = [];
    page.on('request', (request) => request.url().endsWith('/api/v1/auth/refresh') && refreshes.push(request.url()));
    await page.reload();
    await page.locator('sign-in').waitFor();
    expect(await page.locator('customer-dashboard').count()).toBe(0);
    expect(refreshes).toEqual([]);
  });

  it('the Security page lists this device and another session, and signs the other one out', async () => {
    const customer = await stack.app.newCustomer();
    const otherSid = (JSON.parse(Buffer.from(customer.accessToken.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
    const page = await newPage();
    await signIn(page, stack.app.url, customer.email, customer.password, 'customer-dashboard');
    await page.getByRole('link', { name: 'Security' }).click();
    const thisDevice = page.locator('security-page tr[data-current]');
    await thisDevice.getByText('this device').waitFor();
    const other = page.locator(`security-page tr[data-session-id="${otherSid}"]`);
    await other.waitFor();
    expect(await page.locator('security-page tbody tr').count()).toBe(2);
    await other.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('security-page [role="status"]', { hasText: 'Signed out' }).waitFor();
    await other.waitFor({ state: 'detached' });
    await stack.app.http().get('/api/v1/accounts').set(bearer(customer.accessToken)).expect(401);
    await stack.app.http().post('/api/v1/auth/refresh').send({ refreshToken: customer.refreshToken }).expect(401);
    await thisDevice.waitFor();
    expect(await page.locator('security-page two-factor-settings').count()).toBe(1);
  });

  it('a session signed out from another device leaves the Security page at once, without a reload', async () => {
    const customer = await stack.app.newCustomer();
    const sidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
    const page = await newPage();
    await signIn(page, stack.app.url, customer.email, customer.password, 'customer-dashboard');
    await page.getByText('Live', { exact: true }).waitFor({ timeout: 10_000 });
    await page.getByRole('link', { name: 'Security' }).click();
    const first = page.locator(`security-page tr[data-session-id="${sidOf(customer.accessToken)}"]`);
    await first.waitFor();
    // A third device signs in and ends the first session.
    const third = await stack.app.http().post('/api/v1/auth/login').send({ email: customer.email, password: customer.password }).expect(200);
    await stack.app.http().delete(`/api/v1/auth/sessions/${sidOf(customer.accessToken)}`).set(bearer(third.body.accessToken as string)).expect(204);
    await first.waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator(`security-page tr[data-session-id="${sidOf(third.body.accessToken as string)}"]`).waitFor();
  });

  it('two-factor sign-in: enrol with a code computed from the shown secret, keep the recovery codes, sign out, sign in with two steps', async () => {
    const customer = await stack.app.newFundedCustomer(1_000);
    const page = await newPage();
    await signIn(page, stack.app.url, customer.email, customer.password, 'customer-dashboard');
    await page.getByRole('link', { name: 'Security' }).click();
    const settings = page.locator('security-page two-factor-settings');
    await settings.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    const secret = (await settings.locator('[data-totp-secret]').textContent())!.trim();
    expect(await settings.locator('img.qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml;/);
    await settings.getByLabel('Code from the app').fill(await generateTotp({ secret }));
    await settings.getByRole('button', { name: 'Confirm and turn on' }).click();
    await settings.locator('[data-recovery-codes] li').first().waitFor();
    expect(await settings.locator('[data-recovery-codes] li').count()).toBe(10);
    await settings.getByRole('button', { name: 'I have saved them' }).click();
    await settings.locator('p', { hasText: 'Two-factor sign-in is on' }).waitFor();
    expect(await settings.locator('[data-recovery-codes]').count()).toBe(0);

    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(customer.email);
    await page.getByLabel('Password').fill(customer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    await page.getByLabel('Code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('sign-in [role="alert"]').waitFor();
    // The enrolment spent this step's code: the next step's (within the ±1 step window) signs in.
    await page.getByLabel('Code').fill(await generateTotp({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('customer-dashboard').waitFor();
  });

  it('a cold load of / (no session ever) logs no console error and no failed request', async () => {
    const page = await newPage();
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`failed: ${request.method()} ${request.url()}`));
    page.on('response', (response) => response.status() >= 400 && problems.push(`${response.status()}: ${response.request().method()} ${response.url()}`));
    await page.goto(`${stack.app.url}/`, { waitUntil: 'networkidle' });
    await page.getByLabel('Email').waitFor();
    expect(problems).toEqual([]);
  });

  it('with no socket at all, the tab says so and still gets every event by polling GET /events', async () => {
    const [alice, bob] = await Promise.all([stack.app.newFundedCustomer(50_000, { fullName: 'Alice Poller' }), stack.app.newFundedCustomer(1_000, { fullName: 'Bob Polled' })]);
    const page = await newPage();
    await page.routeWebSocket(/\/socket\.io\//, (socket) => socket.close());
    await page.route(/\/socket\.io\//, (route) => route.abort());
    await signIn(page, stack.app.url, bob.email, bob.password, 'customer-dashboard');
    await page.locator('connection-badge [data-state="offline"]').waitFor({ timeout: 15_000 });
    // Polling has begun (and found where the stream stands): from here on only polling can bring events.
    await page.waitForResponse((response) => response.url().includes('/api/v1/events?') && response.status() === 200, { timeout: 10_000 });
    for (const amount of [111, 222]) {
      await stack.app.http().post('/api/v1/transfers').set(bearer(alice.accessToken)).send({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount }).expect(201);
    }
    await page.locator('customer-dashboard [data-balance]', { hasText: '$13.33' }).waitFor({ timeout: 15_000 });
    await page.locator('account-history tbody tr', { hasText: '+$2.22' }).waitFor({ timeout: 5_000 });
    expect(await page.locator('account-history tbody tr', { hasText: '+$1.11' }).count()).toBe(1);
  });

  it('a long history loads page by page as it scrolls, and exports whole as CSV', async () => {
    const customer = await stack.app.newFundedCustomer(100);
    for (let i = 1; i <= 59; i++) {
      await stack.app.http().post(`/api/v1/accounts/${customer.accountId}/deposits`).set(bearer(customer.accessToken)).send({ amount: i, description: `deposit ${i}` }).expect(201);
    }
    const page = await newPage();
    await signIn(page, stack.app.url, customer.email, customer.password, 'customer-dashboard');
    const rows = page.locator('account-history tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(25);
    for (const expected of [50, 60]) {
      await page.locator('account-history .scroll').evaluate((element) => element.scrollTo(0, element.scrollHeight));
      await rows.nth(expected - 1).waitFor();
    }
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-entry-id')));
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = readFileSync(await (await download).path(), 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe('date,kind,description,counterparty,counterparty_account,amount,balance_after,transaction_id');
    expect(csv).toHaveLength(61);
    expect(csv[1]).toContain('"deposit 59","","","0.59","18.70"');
  });
});
