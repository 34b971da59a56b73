import type { Browser, Page } from 'playwright-core';
import { LiveStack } from '../../support/live-stack';
import { launchChromium, newContext, signIn } from '../../support/browser';
import { bearer, TEST_PASSWORD } from '../../support/test-app';

/** Employees and admins in a real browser, with a real worker carrying requests through their lifecycle. */
describe('employee queue and admin console in the browser', () => {
  let stack: LiveStack;
  let browser: Browser;
  const pageFor = async (): Promise<Page> => (await newContext(browser)).newPage();
  beforeAll(async () => {
    [stack, browser] = await Promise.all([LiveStack.start('browser-staff'), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('a limit increase: the employee sees it arrive live, claims and approves it; the customer sees it completed live and the new limit works', async () => {
    const t = stack.app;
    const [customer, employee] = await Promise.all([t.newFundedCustomer(2_500_000, { fullName: 'Carol Limit' }), t.newStaff('employee')]);
    const payee = await t.newCustomer({ fullName: 'Dan Payee' });
    const [customerPage, employeePage] = await Promise.all([pageFor(), pageFor()]);
    await Promise.all([signIn(customerPage, t.url, customer.email, customer.password, 'customer-dashboard'), signIn(employeePage, t.url, employee.email, TEST_PASSWORD, 'employee-queue')]);
    await employeePage.getByText('Live', { exact: true }).waitFor();

    await customerPage.getByLabel('What do you need?').selectOption('limit_increase');
    await customerPage.getByLabel('New daily limit (USD)').fill('20000');
    await customerPage.getByRole('button', { name: 'File request' }).click();
    await customerPage.locator('customer-requests li', { hasText: 'Daily limit increase' }).waitFor();

    const pending = employeePage.locator('employee-queue li', { hasText: 'Daily limit increase' });
    await pending.waitFor({ timeout: 5_000 });
    await pending.getByRole('button', { name: 'Claim' }).click();
    const inReview = employeePage.locator('employee-queue li', { hasText: 'claimed by you' });
    await inReview.waitFor({ timeout: 5_000 });
    await inReview.getByLabel('Note').fill('Salary slip checked');
    await inReview.getByRole('button', { name: 'Approve' }).click();

    await customerPage.locator('customer-requests li[data-status="completed"]', { hasText: 'Daily limit increase' }).waitFor({ timeout: 10_000 });
    // 15,000.00 is over the default daily limit of 10,000.00 and under the new 20,000.00. It is also over
    // REVIEW_AMOUNT, so it is held for review (202): a transfer over the limit is refused (422), never held.
    await t.http().post('/api/v1/transfers').set(bearer(customer.accessToken)).send({ fromAccountId: customer.accountId, toAccountNumber: payee.accountNumber, amount: 1_500_000 }).expect(202);
  });

  it('two employees: one opens a request and the other sees who is viewing it; she claims it, then releases it back to the queue', async () => {
    const t = stack.app;
    const [customer, emma, noah] = await Promise.all([t.newFundedCustomer(10_000), t.newStaff('employee'), t.newStaff('employee')]);
    const filed = await t.http().post('/api/v1/service-requests').set(bearer(customer.accessToken)).send({ type: 'kyc_update', details: { address: '9 Presence Road, York', phone: '+44 1904 000000' } }).expect(202);
    const id = filed.body.id as string;
    const [emmaPage, noahPage] = await Promise.all([pageFor(), pageFor()]);
    await Promise.all([signIn(emmaPage, t.url, emma.email, TEST_PASSWORD, 'employee-queue'), signIn(noahPage, t.url, noah.email, TEST_PASSWORD, 'employee-queue')]);
    await Promise.all([emmaPage.getByText('Live', { exact: true }).waitFor(), noahPage.getByText('Live', { exact: true }).waitFor()]);
    const pendingOn = (page: Page) => page.locator(`employee-queue section[aria-labelledby="pending-title"] li[data-request-id="${id}"]`);
    await Promise.all([pendingOn(emmaPage).waitFor({ timeout: 10_000 }), pendingOn(noahPage).waitFor({ timeout: 10_000 })]);

    await pendingOn(emmaPage).getByRole('button', { name: 'Open' }).click();
    await pendingOn(noahPage).locator('[data-presence]', { hasText: 'Test employee is viewing' }).waitFor({ timeout: 5_000 });
    expect(await pendingOn(emmaPage).locator('[data-presence]').count()).toBe(0); // never herself

    await pendingOn(emmaPage).getByRole('button', { name: 'Claim' }).click();
    const claimed = emmaPage.locator(`employee-queue li[data-request-id="${id}"]`, { hasText: 'claimed by you' });
    await claimed.getByRole('button', { name: 'Release' }).click();
    await emmaPage.locator('employee-queue [role="status"]', { hasText: 'Released' }).waitFor();
    await pendingOn(noahPage).getByRole('button', { name: 'Claim' }).waitFor({ timeout: 5_000 });
    await pendingOn(emmaPage).getByRole('button', { name: 'Close' }).click();
    await pendingOn(noahPage).locator('[data-presence]').waitFor({ state: 'detached', timeout: 5_000 });
  });

  it('a PIN reset: once approved it waits for the customer, who sees the time left, enters the new PIN and sees it completed live', async () => {
    const t = stack.app;
    const [customer, employee] = await Promise.all([t.newFundedCustomer(10_000, { fullName: 'Erin Pin' }), t.newStaff('employee')]);
    const page = await pageFor();
    await signIn(page, t.url, customer.email, customer.password, 'customer-dashboard');
    await page.getByLabel('What do you need?').selectOption('card_pin_reset');
    await page.getByRole('button', { name: 'File request' }).click();
    const item = page.locator('customer-requests li', { hasText: 'Card PIN reset' });
    await item.waitFor();
    const requestId = await item.getAttribute('data-request-id');
    await page.locator(`customer-requests li[data-request-id="${requestId}"][data-status="pending_review"]`).waitFor({ timeout: 10_000 });
    await t.http().post(`/api/v1/service-requests/${requestId}/claim`).set(bearer(employee.accessToken)).expect(200);
    await t.http().post(`/api/v1/service-requests/${requestId}/approve`).set(bearer(employee.accessToken)).send({}).expect(200);

    const waiting = page.locator(`customer-requests li[data-request-id="${requestId}"][data-status="awaiting_customer"]`);
    await waiting.waitFor({ timeout: 5_000 });
    expect(await waiting.locator('.notice').textContent()).toMatch(/\d+:\d\d left to enter it/);
    await waiting.getByLabel('New card PIN').fill('12');
    await waiting.getByRole('button', { name: 'Send' }).click();
    await waiting.getByText('must be exactly 4 digits').waitFor();
    await waiting.getByLabel('New card PIN').fill('8642');
    await waiting.getByRole('button', { name: 'Send' }).click();
    await page.locator(`customer-requests li[data-request-id="${requestId}"][data-status="completed"]`).waitFor({ timeout: 10_000 });
    await t.http().post(`/api/v1/accounts/${customer.accountId}/withdrawals`).set(bearer(customer.accessToken)).send({ amount: 100, pin: '8642' }).expect(201);
  });

  it('five wrong passwords for Bob: the admin’s feed and tiles show the lockout live; the admin finds Bob, unlocks him from his page with the key, then locks him with a reason', async () => {
    const t = stack.app;
    const bob = await t.newCustomer({ fullName: 'Bob Locked' });
    const admin = { email: t.config.adminEmail, password: t.config.adminPassword };
    const [adminPage, bobPage] = await Promise.all([pageFor(), pageFor()]);
    await signIn(adminPage, t.url, admin.email, admin.password, 'admin-console');
    await adminPage.getByText('Live', { exact: true }).waitFor();
    const lockedTile = adminPage.locator('admin-console [data-locked-count]');
    const lockedBefore = Number(await lockedTile.textContent());

    await bobPage.goto(`${t.url}/`);
    for (let i = 1; i <= 5; i++) {
      await bobPage.getByLabel('Email').fill(bob.email);
      await bobPage.getByLabel('Password').fill(`wrong-password-${i}`);
      await bobPage.getByRole('button', { name: 'Sign in' }).click();
      await bobPage.locator('sign-in [role="alert"]').waitFor();
      await bobPage.locator('sign-in button[type="submit"]:not([disabled])').waitFor();
    }
    await bobPage.locator('sign-in [role="alert"]', { hasText: 'locked' }).waitFor();

    await adminPage.locator('threat-feed li[data-event-type="account.locked"]', { hasText: bob.email }).waitFor({ timeout: 5_000 });
    // The tile moves by the admin.stats signal, without a reload.
    await adminPage.locator('admin-console [data-locked-count]', { hasText: String(lockedBefore + 1) }).waitFor({ timeout: 5_000 });

    await adminPage.getByLabel('Find a user').fill(bob.email.slice(0, 20).toUpperCase());
    const found = adminPage.locator(`admin-user-search li[data-user-id="${bob.user.id}"][data-status="locked"]`);
    await found.waitFor({ timeout: 5_000 });
    await found.getByRole('link', { name: 'Bob Locked' }).click();
    const status = adminPage.locator('admin-user-detail [data-user-status]');
    await status.filter({ hasText: 'Locked' }).waitFor();
    await adminPage.locator('admin-user-detail li[data-event-type="account.locked"]').waitFor();
    await adminPage.locator('admin-user-detail').getByRole('button', { name: 'Unlock…' }).click();
    await adminPage.getByLabel('Admin key').fill(t.config.adminKey);
    await adminPage.locator('admin-user-detail dialog').getByRole('button', { name: 'Unlock', exact: true }).click();
    await status.filter({ hasText: 'Active' }).waitFor({ timeout: 5_000 });
    expect(await adminPage.getByLabel('Admin key').inputValue()).toBe('');

    await bobPage.getByLabel('Password').fill(TEST_PASSWORD);
    await bobPage.getByRole('button', { name: 'Sign in' }).click();
    await bobPage.locator('customer-dashboard').waitFor({ timeout: 5_000 });

    await adminPage.getByLabel('Reason for the lock').fill('phone reported stolen');
    await adminPage.locator('admin-user-detail').getByRole('button', { name: 'Lock', exact: true }).click();
    await status.filter({ hasText: 'Locked' }).waitFor({ timeout: 5_000 });
    await adminPage.locator('admin-user-detail', { hasText: 'phone reported stolen' }).waitFor();
    await adminPage.getByRole('link', { name: '← Admin console' }).click();
    await adminPage.locator('admin-user-search').waitFor();
  });
});
