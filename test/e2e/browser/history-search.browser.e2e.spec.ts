import type { Browser, Page } from 'playwright-core';
import { LiveStack } from '../../support/live-stack';
import { launchChromium, newContext, screenshot, seriousViolations, signIn } from '../../support/browser';
import { bearer, type TestCustomer } from '../../support/test-app';

/** The history's filters in a real browser: they narrow the list, live in the URL (reload, back), and clear. */
describe('history search in the browser', () => {
  let stack: LiveStack;
  let browser: Browser;
  let alice: TestCustomer;
  let page: Page;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([LiveStack.start('browser-history-search'), launchChromium()]);
    const [funded, bob] = await Promise.all([stack.app.newFundedCustomer(500_000, { fullName: 'Alice Filter' }), stack.app.newFundedCustomer(1_000, { fullName: 'Bob Landlord' })]);
    alice = funded;
    const auth = bearer(alice.accessToken);
    await stack.app.http().post(`/api/v1/accounts/${alice.accountId}/deposits`).set(auth).send({ amount: 250_000, description: 'Salary November' }).expect(201);
    await stack.app.http().post('/api/v1/transfers').set(auth).send({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 90_000, description: 'Rent October' }).expect(201);
    await stack.app.http().post(`/api/v1/accounts/${alice.accountId}/deposits`).set(auth).send({ amount: 1_500, description: 'Birthday gift' }).expect(201);
    page = await (await newContext(browser, { axe: true })).newPage();
    await signIn(page, stack.app.url, alice.email, alice.password, 'customer-dashboard');
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const rows = () => page.locator('account-history tbody tr[data-entry-id]');
  const filters = () => page.locator('history-filters');
  /** Dates, kind and amounts sit behind "More filters": opened unless it is (it opens by itself while one is set). */
  async function openMoreFilters(): Promise<void> {
    if ((await filters().locator('details.more').getAttribute('open')) === null) await filters().getByText('More filters').click();
  }
  const descriptions = async () => (await rows().allTextContents()).map((text) => text.replace(/\s+/g, ' '));
  /** The history shows exactly `count` rows within 5 s (the rows live in shadow roots, which locators pierce). */
  async function waitForRows(count: number, onPage: Page = page): Promise<void> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const shown = await onPage.locator('account-history tbody tr[data-entry-id]').count();
      if (shown === count) return;
      if (Date.now() > deadline) throw new Error(`expected ${count} rows in the history, saw ${shown}`);
      await onPage.waitForTimeout(50);
    }
  }

  it('a text narrows the list after a pause in typing and goes into the URL', async () => {
    await waitForRows(4); // the initial deposit, the salary, the rent, the gift
    // Two characters wait for a third while typing; Enter says why nothing was searched.
    await filters().getByLabel('Search description or name').fill('re');
    await filters().getByLabel('Search description or name').press('Enter');
    await filters().getByText('Type at least 3 characters to search.').waitFor();
    expect(page.url()).not.toContain('q=');
    await filters().getByLabel('Search description or name').fill('rent');
    await page.waitForFunction(`location.hash.includes('q=rent')`, undefined, { timeout: 5_000 });
    await waitForRows(1);
    expect((await descriptions())[0]).toContain('Rent October');
    await page.locator('account-history [data-filter-summary]', { hasText: '1 matching transaction.' }).waitFor();
  });

  it('a kind on top: nothing matches both, said plainly; a reload keeps both filters', async () => {
    await openMoreFilters();
    await filters().getByLabel('Kind').selectOption('deposit');
    await page.locator('account-history [data-filter-summary]', { hasText: 'No transactions match these filters.' }).waitFor();
    expect(page.url()).toContain('kind=deposit');
    expect(await seriousViolations(page)).toEqual([]);

    await page.reload();
    await page.locator('customer-dashboard').waitFor();
    await page.locator('account-history [data-filter-summary]', { hasText: 'No transactions match these filters.' }).waitFor({ timeout: 10_000 });
    expect(await filters().getByLabel('Search description or name').inputValue()).toBe('rent');
    expect(await filters().getByLabel('Kind').inputValue()).toBe('deposit');
    // Restored from the URL, the kind keeps its disclosure open and counted.
    await filters().getByText('More filters (1 set)').waitFor();
  });

  it('back goes to the previous filters; Clear filters shows everything again', async () => {
    await page.goBack();
    await page.waitForFunction(`!location.hash.includes('kind=')`, undefined, { timeout: 5_000 });
    await waitForRows(1);
    expect(await filters().getByLabel('Kind').inputValue()).toBe('');

    await filters().getByRole('button', { name: 'Clear filters' }).click();
    await waitForRows(4);
    expect(page.url()).not.toContain('q=');
    expect(await filters().getByLabel('Search description or name').inputValue()).toBe('');
  });

  it('an amount range in dollars; a live entry that does not match stays out until the filters are cleared', async () => {
    await openMoreFilters();
    await filters().getByLabel('Amount at least (USD)').fill('800');
    await filters().getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(`location.hash.includes('minAmount=80000')`, undefined, { timeout: 5_000 });
    await waitForRows(3); // 5,000.00 initial, 2,500.00 salary, −900.00 rent
    expect((await descriptions()).some((text) => text.includes('Birthday gift'))).toBe(false);

    await stack.app.http().post(`/api/v1/accounts/${alice.accountId}/deposits`).set(bearer(alice.accessToken)).send({ amount: 300, description: 'Small change' }).expect(201);
    await stack.app.http().post(`/api/v1/accounts/${alice.accountId}/deposits`).set(bearer(alice.accessToken)).send({ amount: 200_000, description: 'Bonus' }).expect(201);
    await waitForRows(4); // the bonus matches and arrives live; the small change does not
    expect((await descriptions())[0]).toContain('Bonus');
    expect((await descriptions()).some((text) => text.includes('Small change'))).toBe(false);
    await screenshot(page, 'history-search-filtered');

    await filters().getByRole('button', { name: 'Clear filters' }).click();
    await waitForRows(6);
  });

  it('fits a 390 px phone: the filters stack, nothing scrolls sideways', async () => {
    const phone = await (await newContext(browser, { phone: true })).newPage();
    await signIn(phone, stack.app.url, alice.email, alice.password, 'customer-dashboard');
    await phone.goto(`${stack.app.url}/#/?q=rent`);
    await phone.locator('account-history tbody tr[data-entry-id]', { hasText: 'Rent October' }).waitFor({ timeout: 10_000 });
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(phone, 'history-search-phone');
    await phone.context().close();
  });
});
