import type { Browser, Page } from 'playwright-core';
import { LiveStack } from '../../support/live-stack';
import { expectText, launchChromium, newContext, seriousViolations, screenshot, signIn, submitTransfer } from '../../support/browser';
import { TEST_PASSWORD, type TestCustomer, type TestStaff } from '../../support/test-app';

/** A fresh desktop profile, ready for axe-core. */
async function newPage(browser: Browser): Promise<Page> {
  return (await newContext(browser, { axe: true })).newPage();
}

/**
 * API.md "Disputes and reversals" on screen: a customer disputes a transfer she sent from her
 * history, an employee approves it from the live queue, and the reversal moves both balances back
 * and shows in the history linked to what it reverses — real api, worker and browsers, no reloads.
 */
describe('a sent transfer disputed and reversed, in the browser', () => {
  let stack: LiveStack;
  let browser: Browser;
  let alice: TestCustomer;
  let bob: TestCustomer;
  let employee: TestStaff;
  let alicePage: Page;
  let bobPage: Page;
  let employeePage: Page;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([LiveStack.start('browser-disputes'), launchChromium()]);
    const t = stack.app;
    [alice, bob, employee] = await Promise.all([t.newFundedCustomer(50_000, { fullName: 'Alice Disputer' }), t.newCustomer({ fullName: 'Bob Payee' }), t.newStaff('employee')]);
    [alicePage, bobPage, employeePage] = await Promise.all([0, 1, 2].map(() => newPage(browser)));
    await Promise.all([
      signIn(alicePage, t.url, alice.email, alice.password, 'customer-dashboard'),
      signIn(bobPage, t.url, bob.email, bob.password, 'customer-dashboard'),
      signIn(employeePage, t.url, employee.email, TEST_PASSWORD, 'employee-queue'),
    ]);
    await Promise.all([alicePage, bobPage, employeePage].map((page) => page.getByText('Live', { exact: true }).waitFor({ timeout: 10_000 })));
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const balance = (page: Page) => page.locator('customer-dashboard [data-balance]');
  const historyRow = (page: Page, kind: string) => page.locator(`account-history tbody tr[data-kind="${kind}"]`);

  it('Alice pays Bob 100.00 and disputes it with a reason; the queue shows it live; approval reverses it live, linked to the original', async () => {
    await alicePage.getByRole('tab', { name: 'Transfer' }).click();
    const form = alicePage.locator('money-form');
    await form.getByLabel('Amount (USD)').fill('100');
    await form.getByLabel('To account number').fill(bob.accountNumber);
    await form.getByLabel('Description (optional)').fill('concert tickets');
    const answered = alicePage.waitForResponse((response) => response.url().endsWith('/api/v1/transfers') && response.request().method() === 'POST');
    await submitTransfer(alicePage);
    expect((await answered).status()).toBe(201);
    await Promise.all([expectText(balance(alicePage), '$400.00', 10_000), expectText(balance(bobPage), '$100.00', 10_000)]);

    // Only the sent transfer offers a dispute (not the opening deposit, not Bob's received side).
    const sent = historyRow(alicePage, 'transfer').filter({ hasText: 'Bob Payee' });
    await sent.waitFor({ timeout: 5_000 });
    expect(await alicePage.locator('account-history').getByRole('button', { name: /^Dispute/ }).count()).toBe(1);
    await historyRow(bobPage, 'transfer').filter({ hasText: 'Alice Disputer' }).waitFor({ timeout: 5_000 });
    expect(await bobPage.locator('account-history').getByRole('button', { name: /^Dispute/ }).count()).toBe(0);

    await sent.getByRole('button', { name: 'Dispute the transfer of $100.00 to Bob Payee' }).click();
    const disputeForm = alicePage.locator('transfer-dispute');
    await disputeForm.getByRole('button', { name: 'File dispute' }).click();
    await disputeForm.getByText('Write the reason').waitFor();
    expect(await disputeForm.getByLabel(/Why do you dispute the transfer of \$100\.00 to Bob Payee/).getAttribute('aria-invalid')).toBe('true');
    await disputeForm.getByLabel(/Why do you dispute/).fill('The tickets never arrived');
    expect(await seriousViolations(alicePage)).toEqual([]);
    const filed = alicePage.waitForResponse((response) => /\/api\/v1\/transactions\/[^/]+\/disputes$/.test(response.url()));
    await disputeForm.getByRole('button', { name: 'File dispute' }).click();
    expect((await filed).status()).toBe(202);
    await sent.locator('[data-dispute-status="pending_review"]', { hasText: 'Dispute filed' }).waitFor({ timeout: 5_000 });
    expect(await sent.getByRole('button', { name: /^Dispute/ }).count()).toBe(0);
    const request = alicePage.locator('customer-requests li[data-type="transaction_dispute"]');
    await request.filter({ hasText: 'Disputed transfer' }).filter({ hasText: 'Waiting for review' }).waitFor({ timeout: 5_000 });
    await request.getByText('Your reason: The tickets never arrived').waitFor();
    // A reload still knows the transfer is disputed (the history reads the customer's disputes).
    await alicePage.reload();
    await alicePage.getByText('Live', { exact: true }).waitFor({ timeout: 10_000 });
    await sent.locator('[data-dispute-status="pending_review"]', { hasText: 'Dispute filed' }).waitFor({ timeout: 10_000 });
    expect(await sent.getByRole('button', { name: /^Dispute/ }).count()).toBe(0);

    // The employee's queue shows it live, with the customer's reason; claimed, it is decided with a reason to reject.
    const queued = employeePage.locator('employee-queue li[data-type="transaction_dispute"]');
    await queued.locator('[data-fact="reason"]', { hasText: 'The tickets never arrived' }).waitFor({ timeout: 5_000 });
    await queued.getByRole('button', { name: 'Claim' }).click();
    const inReview = employeePage.locator('employee-queue li[data-type="transaction_dispute"]', { hasText: 'claimed by you' });
    await inReview.getByRole('button', { name: 'Approve reversal' }).waitFor({ timeout: 5_000 });
    expect(await inReview.locator('[data-fact="reason"]').textContent()).toContain('The tickets never arrived');
    // …and the transfer it is about: amount and recipient.
    expect(await inReview.locator('[data-fact="amount"]').textContent()).toContain('$100.00');
    expect(await inReview.locator('[data-fact="recipient"]').textContent()).toContain(bob.accountNumber);
    expect(await seriousViolations(employeePage)).toEqual([]);
    await screenshot(employeePage, 'employee-queue-disputed-transfer');
    await request.filter({ hasText: 'In review' }).waitFor({ timeout: 5_000 });

    await inReview.getByRole('button', { name: 'Approve reversal' }).click();
    await Promise.all([expectText(balance(alicePage), '$500.00', 10_000), expectText(balance(bobPage), '$0.00', 10_000)]);
    expect(await stack.app.balanceOf(alice.accountId)).toBe(50_000);
    expect(await stack.app.balanceOf(bob.accountId)).toBe(0);

    // Alice's history: the reversal, linked to the transfer it undid, which is marked reversed and no longer disputable.
    const reversal = historyRow(alicePage, 'reversal');
    await reversal.waitFor({ timeout: 5_000 });
    const link = reversal.getByRole('link', { name: /^Reversal of the transfer to Bob Payee of / });
    expect(await link.getAttribute('href')).toBe(`#entry-${await sent.getAttribute('data-entry-id')}`);
    await sent.locator('[data-reversed]', { hasText: 'reversed' }).waitFor({ timeout: 5_000 });
    expect(await sent.getByRole('button', { name: /^Dispute/ }).count()).toBe(0);
    await link.click();
    // The link brings the reversed transfer's row into focus, without touching the app's hash route.
    await alicePage.locator('account-history tbody tr[data-kind="transfer"].jumped:focus', { hasText: 'Bob Payee' }).waitFor({ timeout: 2_000 });
    expect(alicePage.url()).not.toContain('#entry-');
    await request.filter({ hasText: 'Completed' }).waitFor({ timeout: 5_000 });
    expect(await seriousViolations(alicePage)).toEqual([]);
    await screenshot(alicePage, 'customer-history-reversal');

    // Bob's side: his received transfer is reversed, the reversal names whom it came from.
    await historyRow(bobPage, 'reversal').getByRole('link', { name: /^Reversal of the transfer from Alice Disputer of / }).waitFor({ timeout: 5_000 });
    await historyRow(bobPage, 'transfer').locator('[data-reversed]').waitFor();
  });
});
