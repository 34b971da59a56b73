import type { Browser, Page } from 'playwright-core';
import { upcomingRunDates, utcToday } from '@bank/contracts/schedules';
import { LiveStack } from '../../support/live-stack';
import { launchChromium, newContext, screenshot, seriousViolations, signIn } from '../../support/browser';
import { bearer, type TestCustomer } from '../../support/test-app';

/**
 * `#/scheduled` on screen (issue 20, item 2): the form previews the next runs as it is filled in,
 * the built worker (sweeping every second) makes today's run and the page shows it without a
 * reload, and a schedule is cancelled from its button — real api, worker and browser.
 */
describe('scheduled transfers, in the browser', () => {
  let stack: LiveStack;
  let browser: Browser;
  let alice: TestCustomer;
  let bob: TestCustomer;
  let page: Page;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([LiveStack.start('browser-scheduled', { SCHEDULE_SWEEP_INTERVAL_S: '1' }), launchChromium()]);
    [alice, bob] = await Promise.all([stack.app.newFundedCustomer(100_000, { fullName: 'Alice Scheduler' }), stack.app.newCustomer({ fullName: 'Bob Landlord' })]);
    page = await (await newContext(browser, { axe: true })).newPage();
    await signIn(page, stack.app.url, alice.email, alice.password, 'customer-dashboard');
    await page.getByText('Live', { exact: true }).waitFor({ timeout: 10_000 });
    await page.getByRole('link', { name: 'Scheduled' }).click();
    await page.locator('scheduled-transfers-page form').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const schedules = () => page.locator('scheduled-transfers-page li[data-schedule-id]');

  it('previews the next runs, names the payee, and shows today’s run as the worker makes it', async () => {
    const today = utcToday(Date.now());
    const form = page.locator('scheduled-transfers-page form');
    await form.getByLabel('To account number').fill(bob.accountNumber);
    await form.getByLabel('Amount (USD)').click(); // leaving the number looks the holder up
    await form.locator('[data-payee-name]', { hasText: 'Bob L.' }).waitFor();
    await form.getByLabel('Amount (USD)').fill('12.50');
    await form.getByLabel('Description (optional)').fill('rent');
    const preview = form.locator('[data-preview] li');
    await form.getByLabel('How often').selectOption('once');
    await form.locator('[data-preview]', { hasText: 'It runs on' }).waitFor();
    expect(await preview.allTextContents()).toEqual([today]);
    await form.getByLabel('How often').selectOption('monthly');
    await form.getByLabel('Number of runs (optional)').fill('3');
    await preview.nth(2).waitFor();
    expect(await preview.allTextContents()).toEqual(upcomingRunDates({ startOn: today, frequency: 'monthly', count: 3 }, 5));

    await form.getByRole('button', { name: 'Schedule transfer' }).click();
    await form.locator('[role="status"]', { hasText: 'Scheduled' }).waitFor();
    const created = schedules().filter({ hasText: 'rent' });
    await created.waitFor();
    // No reload: the worker's run arrives as schedule.updated.
    await created.locator(`tr[data-run-on="${today}"][data-outcome="posted"]`).waitFor({ timeout: 15_000 });
    expect(await created.locator('[data-next-run]').textContent()).toBe(upcomingRunDates({ startOn: today, frequency: 'monthly', count: 3 }, 2)[1]);
    expect(await stack.app.balanceOf(bob.accountId)).toBe(1_250);
    await screenshot(page, 'scheduled-transfers');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('cancels another schedule from its button, and a schedule made elsewhere appears live', async () => {
    const startOn = upcomingRunDates({ startOn: utcToday(Date.now()), frequency: 'weekly' }, 2)[1];
    await stack.app
      .http()
      .post('/api/v1/scheduled-transfers')
      .set(bearer(alice.accessToken))
      .send({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 700, description: 'gym', startOn, frequency: 'weekly' })
      .expect(201);
    const gym = schedules().filter({ hasText: 'gym' });
    await gym.waitFor({ timeout: 10_000 });
    await gym.getByRole('button', { name: /^Cancel the schedule/ }).click();
    await gym.locator('[data-schedule-status]', { hasText: 'Cancelled' }).waitFor();
    expect(await gym.getByRole('button', { name: /^Cancel the schedule/ }).count()).toBe(0);
  });

  it('a saved payee fills the number and names the holder, and the list calls the schedule by the nickname', async () => {
    await stack.app.http().post('/api/v1/payees').set(bearer(alice.accessToken)).send({ accountNumber: bob.accountNumber, nickname: 'Landlord' }).expect(201);
    await page.reload();
    const form = page.locator('scheduled-transfers-page form');
    await form.getByLabel('Saved payee').selectOption(bob.accountNumber);
    expect(await form.getByLabel('To account number').inputValue()).toBe(bob.accountNumber);
    await form.locator('[data-payee-name]', { hasText: 'Bob L.' }).waitFor();
    await schedules().filter({ hasText: 'rent' }).filter({ hasText: `Landlord (…${bob.accountNumber.slice(-4)})` }).waitFor();
  });

  it('fits a phone (390 px) without sideways scrolling, and stays accessible', async () => {
    const context = await newContext(browser, { phone: true, axe: true });
    const phone = await context.newPage();
    await signIn(phone, stack.app.url, alice.email, alice.password, 'customer-dashboard');
    await phone.goto(`${stack.app.url}/#/scheduled`);
    await phone.locator('scheduled-transfers-page li[data-schedule-id]').first().waitFor();
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(phone, 'scheduled-transfers-phone');
    expect(await seriousViolations(phone)).toEqual([]);
    await context.close();
  });
});
