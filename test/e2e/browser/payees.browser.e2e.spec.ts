import type { Browser, Page } from 'playwright-core';
import type { AccountList } from '@bank/contracts/accounts';
import type { PayeeList } from '@bank/contracts/payees';
import { LiveStack } from '../../support/live-stack';
import { expectText, launchChromium, newContext, screenshot, seriousViolations, signIn, submitTransfer } from '../../support/browser';
import { bearer, type TestCustomer } from '../../support/test-app';

/** The page scrolls sideways: something is wider than the screen. A string, evaluated in the page. */
const SCROLLS_SIDEWAYS = 'document.documentElement.scrollWidth > document.documentElement.clientWidth';

/**
 * Payees on screen (issue 20), on a phone (390 px): add one (the holder's masked name shown before
 * it is saved), pick it in the transfer form, confirm, the money arrives; delete it. Real api,
 * worker and browser.
 */
describe('payees, in the browser', () => {
  let stack: LiveStack;
  let browser: Browser;
  let alice: TestCustomer;
  let bob: TestCustomer;
  let page: Page;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([LiveStack.start('browser-payees'), launchChromium()]);
    [alice, bob] = await Promise.all([stack.app.newFundedCustomer(100_000, { fullName: 'Alice Payer' }), stack.app.newCustomer({ fullName: 'Bob Builder' })]);
    page = await (await newContext(browser, { phone: true, axe: true })).newPage();
    await signIn(page, stack.app.url, alice.email, alice.password, 'customer-dashboard');
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const payeesPage = () => page.locator('payees-page');
  const balanceOf = async (who: TestCustomer) => ((await stack.app.http().get('/api/v1/accounts').set(bearer(who.accessToken)).expect(200)).body as AccountList).items[0].balance;

  it('adds a payee after naming its holder, pays it from the transfer form through the confirmation, deletes it', async () => {
    await page.goto(`${stack.app.url}/#/payees`);
    await payeesPage().locator('[data-payees-empty]').waitFor();

    // The form's own checks, at their fields.
    await payeesPage().getByRole('button', { name: 'Check and add' }).click();
    await expectText(payeesPage().locator('#payee-accountNumber-error'), 'must be 12 digits');
    await expectText(payeesPage().locator('#payee-nickname-error'), 'must not be empty');
    expect(await payeesPage().getByLabel('Account number (12 digits)').getAttribute('aria-invalid')).toBe('true');

    await payeesPage().getByLabel('Account number (12 digits)').fill(bob.accountNumber.replace(/(\d{4})(?=\d)/g, '$1 '));
    await payeesPage().getByLabel('Nickname (up to 40 characters)').fill('  Landlord ');
    await payeesPage().getByRole('button', { name: 'Check and add' }).click();
    const question = payeesPage().locator('[data-payee-question]');
    await question.waitFor();
    expect((await question.textContent())?.trim()).toBe(`Save Bob B. (…${bob.accountNumber.slice(-4)}) as “Landlord”?`);
    expect(await seriousViolations(page)).toEqual([]);
    await payeesPage().getByRole('button', { name: 'Save payee' }).click();
    const row = payeesPage().locator('tr[data-payee-id]', { hasText: 'Landlord' });
    await row.waitFor();
    expect((await row.locator('[data-payee-name]').textContent())?.trim()).toBe('Bob B.');
    await expectText(payeesPage().locator('[role="status"]'), 'Saved Landlord (Bob B.');
    expect(await page.evaluate<boolean>(SCROLLS_SIDEWAYS)).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'payees-phone');

    // Pay the saved payee: picking it fills the number; the confirmation is the same as for a typed number.
    await page.goto(`${stack.app.url}/#/`);
    await page.getByRole('tab', { name: 'Transfer' }).click();
    const form = page.locator('money-form');
    await form.getByLabel('Saved payee').selectOption({ label: `Landlord · Bob B. (…${bob.accountNumber.slice(-4)})` });
    expect(await form.getByLabel('To account number').inputValue()).toBe(bob.accountNumber);
    await form.getByLabel('Amount (USD)').fill('12.34');
    expect(await seriousViolations(page)).toEqual([]);
    expect(await submitTransfer(page)).toBe(`Send $12.34 to Bob B. (…${bob.accountNumber.slice(-4)})?`);
    await form.locator('[role="status"]', { hasText: 'Transfer of $12.34 done' }).waitFor();
    expect(await balanceOf(bob)).toBe(1_234);
    expect(await page.evaluate<boolean>(SCROLLS_SIDEWAYS)).toBe(false);

    // Delete asks again in the row, then the payee is gone (the api agrees).
    await page.goto(`${stack.app.url}/#/payees`);
    await payeesPage().getByRole('button', { name: 'Delete Landlord' }).click();
    await payeesPage().getByRole('button', { name: 'Keep' }).click();
    await payeesPage().getByRole('button', { name: 'Delete Landlord' }).click();
    await payeesPage().locator('[data-delete-confirm]').click();
    await payeesPage().locator('[data-payees-empty]').waitFor();
    await expectText(payeesPage().locator('[role="status"]'), 'Deleted Landlord.');
    expect(((await stack.app.http().get('/api/v1/payees').set(bearer(alice.accessToken)).expect(200)).body as PayeeList).items).toEqual([]);
  });
});
