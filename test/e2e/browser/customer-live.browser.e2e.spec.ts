import type { Browser, Locator, Page } from 'playwright-core';
import { LiveStack } from '../../support/live-stack';
import { launchChromium, newContext, screenshot, signIn, submitTransfer } from '../../support/browser';
import { luhnCheckDigit } from '@bank/contracts/account-number';
import { bearer, type TestCustomer } from '../../support/test-app';

/** Customers in a real browser (Debian Chromium) against the real api, relay and databases. */
describe('customer dashboard in the browser', () => {
  let stack: LiveStack;
  let browser: Browser;
  let alice: TestCustomer;
  let bob: TestCustomer;
  let alicePage: Page;
  let bobPage: Page;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([LiveStack.start('browser-customer'), launchChromium()]);
    [alice, bob] = await Promise.all([stack.app.newFundedCustomer(100_000, { fullName: 'Alice Example' }), stack.app.newFundedCustomer(5_000, { fullName: 'Bob Example' })]);
    [alicePage, bobPage] = await Promise.all([newContext(browser).then((c) => c.newPage()), newContext(browser).then((c) => c.newPage())]);
    await Promise.all([signIn(alicePage, stack.app.url, alice.email, alice.password, 'customer-dashboard'), signIn(bobPage, stack.app.url, bob.email, bob.password, 'customer-dashboard')]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const balanceOf = (page: Page) => page.locator('customer-dashboard [data-balance]').first();

  it('Alice transfers to Bob: Bob’s balance and history change without a reload, within a second', async () => {
    await bobPage.getByText('Live', { exact: true }).waitFor();
    await expectText(balanceOf(bobPage), '$50.00');
    await alicePage.getByRole('tab', { name: 'Transfer' }).click();
    await alicePage.getByLabel('Amount (USD)').fill('12.34');
    await alicePage.getByLabel('To account number').fill(bob.accountNumber);
    await alicePage.getByLabel('Description (optional)').fill('Lunch');
    const bobSees = bobPage.locator('customer-dashboard [data-balance]', { hasText: '$62.34' }).first().waitFor({ timeout: 5_000 }).then(() => Date.now());
    const answered = alicePage.waitForResponse((response) => response.url().endsWith('/api/v1/transfers') && response.status() === 201).then(() => Date.now());
    expect(await submitTransfer(alicePage)).toBe(`Send $12.34 to Bob E. (…${bob.accountNumber.slice(-4)})?`);
    const [answeredAt, seenAt] = await Promise.all([answered, bobSees]);
    expect(seenAt - answeredAt).toBeLessThan(1_000);
    await bobPage.locator('account-history tr', { hasText: 'Alice Example' }).waitFor({ timeout: 1_000 });
    await expectText(balanceOf(alicePage), '$987.66');
    await screenshot(bobPage, 'customer-dashboard-live');
  });

  it('the bell’s badge counts Bob’s unread notifications live; the panel marks them all read', async () => {
    const bell = bobPage.locator('notification-bell button.bell');
    const badge = bobPage.locator('notification-bell [data-badge]');
    await bell.waitFor();
    const unreadBefore = Number(await bell.getAttribute('data-unread'));
    await stack.app.http().post('/api/v1/transfers').set(bearer(alice.accessToken)).send({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount: 42 }).expect(201);
    await badge.filter({ hasText: String(unreadBefore + 1) }).waitFor({ timeout: 5_000 });
    expect(await bobPage.locator('notification-bell [role="status"]').textContent()).toContain('Money received');
    await bell.click();
    await bobPage.locator('notification-bell .panel button.item', { hasText: '0.42 USD from Alice Example' }).waitFor();
    await bobPage.locator('notification-bell').getByRole('button', { name: 'Mark all read' }).click();
    await badge.waitFor({ state: 'detached', timeout: 5_000 });
    expect(await bell.getAttribute('aria-label')).toBe('Notifications, none unread');
    await screenshot(bobPage, 'customer-notifications');
    await bell.click();
  });

  it('the money forms check input with the api’s own rules before sending, and show the api’s refusals by field', async () => {
    const form = alicePage.locator('money-form');
    const send = form.getByRole('button', { name: 'Transfer', exact: true });
    const errorOf = (label: string) => form.getByLabel(label).evaluate((input) => input.getAttribute('aria-describedby')).then((id) => form.locator(`[id="${id}"]`));
    await alicePage.getByRole('tab', { name: 'Transfer' }).click();
    await form.getByLabel('Amount (USD)').fill('12.345');
    await form.getByLabel('To account number').fill('123456789010');
    await send.click();
    expect(await (await errorOf('Amount (USD)')).textContent()).toBe('At most 2 digits after the point.');
    expect(await (await errorOf('To account number')).textContent()).toMatch(/check digit/);
    await form.getByLabel('Amount (USD)').fill('0');
    await send.click();
    expect(await (await errorOf('Amount (USD)')).textContent()).toBe('The amount must be more than zero.');

    // A valid number nobody has: said at its field, in one plain sentence, before any confirmation.
    const balanceBefore = await stack.app.balanceOf(alice.accountId);
    const unknown = `${bob.accountNumber.slice(0, 10)}${(Number(bob.accountNumber[10]) + 1) % 10}`;
    await form.getByLabel('Amount (USD)').fill('5');
    await form.getByLabel('To account number').fill(unknown + luhnCheckDigit(unknown));
    await send.click();
    await form.locator('.field-error', { hasText: 'No account has this number. Check the number and try again.' }).waitFor();
    expect(await form.getByRole('button', { name: 'Confirm' }).count()).toBe(0);

    // Back from the confirmation leaves the form as it was and sends nothing.
    await form.getByLabel('To account number').fill(bob.accountNumber);
    await send.click();
    await form.getByRole('button', { name: 'Back', exact: true }).click();
    expect(await form.getByLabel('To account number').inputValue()).toBe(bob.accountNumber);
    await send.waitFor();

    // Valid to the form, refused by the api: shown as a sentence in dollars, nothing moved.
    await form.getByLabel('Amount (USD)').fill('5000000');
    await submitTransfer(alicePage);
    const available = (balanceBefore / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD' });
    await form.locator('[role="alert"]', { hasText: `Not enough money: ${available} is available.` }).waitFor();
    expect(await stack.app.balanceOf(alice.accountId)).toBe(balanceBefore);

    await alicePage.getByRole('tab', { name: 'Withdraw' }).click();
    await form.getByLabel('Amount (USD)').fill('1');
    await form.getByLabel('Card PIN').fill('12a');
    await form.getByRole('button', { name: 'Withdraw', exact: true }).click();
    expect(await (await errorOf('Card PIN')).textContent()).toMatch(/4 digits/);
  });

  it('a double click on Confirm moves the money once', async () => {
    const transfersBefore = await stack.app.sql<{ n: number }>(`select count(*)::int as n from ledger_entries where account_id = ?`, [bob.accountId]);
    await alicePage.getByRole('tab', { name: 'Transfer' }).click();
    const form = alicePage.locator('money-form');
    await form.getByLabel('Amount (USD)').fill('1.11');
    await form.getByLabel('To account number').fill(bob.accountNumber);
    await submitTransfer(alicePage, { double: true });
    await form.locator('[role="status"]', { hasText: 'done' }).waitFor();
    await bobPage.locator('account-history tbody tr', { hasText: '+$1.11' }).waitFor();
    const transfersAfter = await stack.app.sql<{ n: number }>(`select count(*)::int as n from ledger_entries where account_id = ?`, [bob.accountId]);
    expect(transfersAfter[0].n - transfersBefore[0].n).toBe(1);
  });
});

async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor({ timeout: 5_000 });
}

describe('a tab that loses the network', () => {
  let stack: LiveStack;
  let browser: Browser;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([LiveStack.start('browser-offline'), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows it is offline; transfers made meanwhile appear once each when it is back', async () => {
    const [alice, bob] = await Promise.all([stack.app.newFundedCustomer(100_000, { fullName: 'Alice Sender' }), stack.app.newFundedCustomer(1_000, { fullName: 'Bob Offline' })]);
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, stack.app.url, bob.email, bob.password, 'customer-dashboard');
    await page.getByText('Live', { exact: true }).waitFor();
    const transfer = (amount: number) =>
      stack.app.http().post('/api/v1/transfers').set(bearer(alice.accessToken)).send({ fromAccountId: alice.accountId, toAccountNumber: bob.accountNumber, amount }).expect(201);
    // One event seen live first, so the reconnect resumes from its id (the server replays what was missed).
    await transfer(50);
    await page.locator('account-history tbody tr', { hasText: '+$0.50' }).waitFor({ timeout: 5_000 });
    const rows = page.locator('account-history tbody tr');
    const before = await rows.count();

    await context.setOffline(true);
    await page.locator('connection-badge [data-state="offline"], connection-badge [data-state="reconnecting"]').waitFor({ timeout: 10_000 });
    for (const amount of [101, 202, 303]) await transfer(amount);
    await context.setOffline(false);

    await page.locator('account-history tbody tr', { hasText: '+$3.03' }).waitFor({ timeout: 15_000 });
    await page.locator('customer-dashboard [data-balance]', { hasText: '$16.56' }).waitFor({ timeout: 5_000 });
    await page.getByText('Live', { exact: true }).waitFor({ timeout: 10_000 });
    const ids = await page.locator('account-history tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-entry-id')));
    expect(ids).toHaveLength(before + 3);
    expect(new Set(ids).size).toBe(ids.length);
    for (const text of ['+$1.01', '+$2.02', '+$3.03']) expect(await page.locator('account-history tbody tr', { hasText: text }).count()).toBe(1);
  });
});
