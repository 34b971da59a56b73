import type { Browser, Locator, Page } from 'playwright-core';
import { LiveStack } from '../../support/live-stack';
import { expectText, launchChromium, newContext, seriousViolations, screenshot, signIn, submitTransfer } from '../../support/browser';
import { bearer, TEST_PASSWORD, type TestCustomer, type TestStaff } from '../../support/test-app';

/** A fresh desktop profile, ready for axe-core. */
async function newPage(browser: Browser): Promise<Page> {
  return (await newContext(browser, { axe: true })).newPage();
}

/**
 * API.md "Holds" on screen: a customer's large transfer is held for review, an employee decides it
 * from a live queue, and every page follows without a reload — real api, worker and browsers.
 */
describe('transfers held for review, in the browser', () => {
  let stack: LiveStack;
  let browser: Browser;
  let alice: TestCustomer;
  let bob: TestCustomer;
  let carol: TestCustomer;
  let employee: TestStaff;
  let alicePage: Page;
  let bobPage: Page;
  let employeePage: Page;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([LiveStack.start('browser-holds'), launchChromium()]);
    const t = stack.app;
    [alice, bob, carol, employee] = await Promise.all([
      t.newFundedCustomer(1_000_000, { fullName: 'Alice Holder' }),
      t.newCustomer({ fullName: 'Bob Payee' }),
      t.newCustomer({ fullName: 'Carol Newpayee' }),
      t.newStaff('employee'),
    ]);
    [alicePage, bobPage, employeePage] = await Promise.all([0, 1, 2].map(() => newPage(browser)));
    await Promise.all([
      signIn(alicePage, t.url, alice.email, alice.password, 'customer-dashboard'),
      signIn(bobPage, t.url, bob.email, bob.password, 'customer-dashboard'),
      signIn(employeePage, t.url, employee.email, TEST_PASSWORD, 'employee-queue'),
    ]);
    await Promise.all([alicePage, bobPage, employeePage].map((page) => page.getByText('Live', { exact: true }).waitFor({ timeout: 10_000 })));
    // An older request in the queue, for the held transfers to be put before.
    await t.http().post('/api/v1/service-requests').set(bearer(bob.accessToken)).send({ type: 'limit_increase', accountId: bob.accountId, details: { dailyLimit: 2_000_000 } }).expect(202);
    await employeePage.locator('employee-queue li[data-type="limit_increase"]').waitFor({ timeout: 10_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const balance = (page: Page) => page.locator('customer-dashboard [data-balance]');
  const available = (page: Page) => page.locator('customer-dashboard [data-available-balance]');

  /** Alice's transfer form, filled and sent; resolves with the api's status code. */
  async function transfer(amount: string, toAccountNumber: string): Promise<number> {
    await alicePage.getByRole('tab', { name: 'Transfer' }).click();
    const form = alicePage.locator('money-form');
    await form.getByLabel('Amount (USD)').fill(amount);
    await form.getByLabel('To account number').fill(toAccountNumber);
    const answered = alicePage.waitForResponse((response) => response.url().endsWith('/api/v1/transfers') && response.request().method() === 'POST');
    await submitTransfer(alicePage);
    return (await answered).status();
  }

  /** The employee claims the held transfer of this amount from the live queue; returns its item in review. */
  async function claimHeld(amount: string): Promise<Locator> {
    const queued = employeePage.locator('employee-queue li[data-type="transfer_review"]', { has: employeePage.locator('[data-fact="amount"]', { hasText: amount }) });
    await queued.waitFor({ timeout: 5_000 });
    // Held transfers come first in the queue, and are marked.
    expect(await employeePage.locator('employee-queue ul[aria-label^="Pending"] > li').first().getAttribute('data-type')).toBe('transfer_review');
    await queued.getByText('Held transfer').waitFor();
    await queued.getByRole('button', { name: 'Claim' }).click();
    const inReview = employeePage.locator('employee-queue li[data-type="transfer_review"]', { hasText: 'claimed by you' });
    await inReview.locator('[data-fact="recent"]').waitFor({ timeout: 5_000 });
    return inReview;
  }

  it('6,000.00 is held (not an error); the employee sees it live with the facts and approves it; both customers’ balances move live', async () => {
    expect(await transfer('6000', bob.accountNumber)).toBe(202);
    await alicePage.locator('money-form [role="status"]', { hasText: 'held for review' }).waitFor();
    expect(await alicePage.locator('money-form [role="alert"]').count()).toBe(0);
    await expectText(available(alicePage), '$4,000.00');
    await expectText(balance(alicePage), '$10,000.00');
    const held = alicePage.locator('pending-holds li[data-status="pending"]', { hasText: '$6,000.00' });
    await held.waitFor();
    await held.getByText('Amount over the review threshold').waitFor();
    await held.getByRole('button', { name: 'Cancel transfer' }).waitFor();

    const inReview = await claimHeld('$6,000.00');
    const fact = (name: string) => inReview.locator(`[data-fact="${name}"]`);
    expect(await fact('rule').textContent()).toBe('Amount over the review threshold');
    expect(await fact('sender').textContent()).toMatch(new RegExp(`Alice Holder · ${alice.accountNumber} · opened today`));
    expect(await fact('recipient').textContent()).toContain(`Bob Payee · ${bob.accountNumber}`);
    expect(await fact('recent').textContent()).toContain('No earlier transfers');
    expect(await seriousViolations(employeePage)).toEqual([]);
    await screenshot(employeePage, 'employee-queue-held-transfer');

    await inReview.getByRole('button', { name: 'Approve transfer' }).click();
    await Promise.all([
      expectText(balance(bobPage), '$6,000.00', 10_000),
      expectText(balance(alicePage), '$4,000.00', 10_000),
      alicePage.locator(`pending-holds li[data-status="posted"]`, { hasText: 'Approved and sent' }).waitFor({ timeout: 10_000 }),
    ]);
    await expectText(available(alicePage), '$4,000.00');
    await bobPage.locator('account-history tbody tr', { hasText: 'Alice Holder' }).waitFor({ timeout: 5_000 });
    expect(await stack.app.balanceOf(bob.accountId)).toBe(600_000);
  });

  it('a first large payment to a new payee is held; rejected with a reason, it gives the available balance back live and says why', async () => {
    expect(await transfer('1500', carol.accountNumber)).toBe(202);
    await expectText(available(alicePage), '$2,500.00');
    await expectText(balance(alicePage), '$4,000.00');
    const held = alicePage.locator('pending-holds li', { hasText: '$1,500.00' });
    await held.getByText('First large payment to this payee').waitFor();
    expect(await seriousViolations(alicePage)).toEqual([]);
    await screenshot(alicePage, 'customer-dashboard-held-transfer');

    const inReview = await claimHeld('$1,500.00');
    // Alice's approved transfer to Bob is among the facts now.
    expect(await inReview.locator('[data-fact="recent"]').textContent()).toContain('Bob Payee');
    await inReview.getByRole('button', { name: 'Reject transfer' }).click();
    await inReview.getByText('Write the reason').waitFor();
    expect(await inReview.getByLabel('Reason (required to reject)').getAttribute('aria-invalid')).toBe('true');
    await inReview.getByLabel('Reason (required to reject)').fill('The payee could not be verified');
    await inReview.getByRole('button', { name: 'Reject transfer' }).click();

    await expectText(available(alicePage), '$4,000.00', 10_000);
    await alicePage.locator('pending-holds li[data-status="voided"]', { hasText: 'The payee could not be verified' }).waitFor({ timeout: 10_000 });
    await expectText(balance(alicePage), '$4,000.00');
    expect(await alicePage.locator('pending-holds [data-pending-count]').textContent()).toBe('0');
    expect(await stack.app.balanceOf(carol.accountId)).toBe(0);
  });

  it('the admin console counts the holds still pending and the amount they reserve; the customer cancels one', async () => {
    // Carol was never paid (the last one was rejected): 1,000.00 to her is held again.
    expect(await transfer('1000', carol.accountNumber)).toBe(202);
    await expectText(available(alicePage), '$3,000.00');
    const page = await newPage(browser);
    await signIn(page, stack.app.url, stack.app.config.adminEmail, stack.app.config.adminPassword, 'admin-console');
    expect(await page.locator('admin-console [data-pending-holds-count]').textContent()).toBe('1');
    expect(await page.locator('admin-console [data-pending-holds-amount]').textContent()).toBe('$1,000.00 reserved');
    await page.context().close();

    await alicePage.locator('pending-holds li[data-status="pending"]', { hasText: '$1,000.00' }).getByRole('button', { name: 'Cancel transfer' }).click();
    await alicePage.locator('pending-holds li[data-status="cancelled"]', { hasText: '$1,000.00' }).waitFor({ timeout: 5_000 });
    await expectText(available(alicePage), '$4,000.00');
    // Its review left the employees' queue with it.
    await employeePage.locator('employee-queue li[data-type="transfer_review"]').waitFor({ state: 'detached', timeout: 5_000 });
  });
});
