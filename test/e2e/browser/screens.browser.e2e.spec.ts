import type { Browser, Page } from 'playwright-core';
import { LiveStack } from '../../support/live-stack';
import { launchChromium, newContext, screenshot, seriousViolations, signIn } from '../../support/browser';
import { eventually } from '../../support/live-client';
import { bearer, TEST_PASSWORD, type TestCustomer, type TestStaff } from '../../support/test-app';

/**
 * What at a phone's width would cut a table or a list: the page scrolling sideways, or a cell, row
 * or list item reaching past the screen or past an ancestor that clips it (shadow roots included;
 * what is visually hidden on purpose — a 1 px box — is left out). A string, evaluated in the page.
 */
const SIDEWAYS_CUTS = `(() => {
  const cuts = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) cuts.push('the page is ' + document.documentElement.scrollWidth + ' px wide');
  const parentOf = (el) => el.parentElement ?? (el.getRootNode() instanceof ShadowRoot ? el.getRootNode().host : null);
  const describe = (el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().replace(/\\s+/g, '.') : '') + ' "' + (el.textContent ?? '').replace(/\\s+/g, ' ').trim().slice(0, 40) + '"';
  const visit = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) visit(el.shadowRoot);
      if (!el.matches('table, tr, th, td, li')) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      let hidden = false;
      const clippers = [];
      for (let up = parentOf(el); up; up = parentOf(up)) {
        if (up.getBoundingClientRect().width <= 1) hidden = true;
        if (getComputedStyle(up).overflowX !== 'visible') clippers.push(up);
      }
      if (hidden) continue;
      if (box.left < -0.5 || box.right > width + 0.5) cuts.push(describe(el) + ' reaches ' + Math.round(box.left) + '…' + Math.round(box.right) + ' px');
      for (const clipper of clippers) {
        const edge = clipper.getBoundingClientRect();
        if (box.left < edge.left - 0.5 || box.right > edge.right + 0.5) cuts.push(describe(el) + ' is cut by ' + describe(clipper));
      }
    }
  };
  visit(document);
  return cuts;
})()`;

/** Every page in both themes and on a phone: a screenshot each, axe-core on each; each role its own look. */
describe('every screen, light and dark: screenshots and accessibility', () => {
  let stack: LiveStack;
  let browser: Browser;
  let customer: TestCustomer;
  let employee: TestStaff;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([LiveStack.start('browser-screens'), launchChromium()]);
    const t = stack.app;
    const payer = await t.newFundedCustomer(50_000, { fullName: 'Paula Payer' });
    const payee = await t.newCustomer({ fullName: 'Bartholomew Longname-Payee' });
    customer = await t.newFundedCustomer(250_000, { fullName: 'Alice Screens' });
    employee = await t.newStaff('employee');
    const transfer = (from: TestCustomer, to: TestCustomer, amount: number, description: string, status: number) =>
      t.http().post('/api/v1/transfers').set(bearer(from.accessToken)).send({ fromAccountId: from.accountId, toAccountNumber: to.accountNumber, amount, description }).expect(status);
    await transfer(payer, customer, 12_345, 'Rent share', 201);
    await transfer(customer, payer, 2_500, 'Coffee beans', 201);
    // A first transfer of 1,500.00 to a new payee is held: the customer sees it pending, the employee
    // claims its review (the facts, with the sender's last transfers); a request waits beside it.
    const held = await transfer(customer, payee, 150_000, 'Deposit for the flat', 202);
    await t.http().post('/api/v1/service-requests').set(bearer(customer.accessToken)).send({ type: 'limit_increase', accountId: customer.accountId, details: { dailyLimit: 2_000_000 } }).expect(202);
    const requestId = held.body.hold.requestId as string;
    const statusOf = async (id: string) => (await t.http().get(`/api/v1/service-requests/${id}`).set(bearer(employee.accessToken)).expect(200)).body.status as string;
    await eventually(async () => (await statusOf(requestId)) === 'pending_review', 'the held transfer in the queue');
    await t.http().post(`/api/v1/service-requests/${requestId}/claim`).set(bearer(employee.accessToken)).expect(200);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const screens: Array<{ name: string; open: (page: Page) => Promise<void> }> = [
    { name: 'sign-in', open: async (page) => (await page.goto(`${stack.app.url}/`), await page.locator('sign-in').waitFor()) },
    { name: 'register', open: async (page) => (await page.goto(`${stack.app.url}/#/register`), await page.locator('register-form').waitFor()) },
    {
      name: 'customer-dashboard',
      open: async (page) => {
        await signIn(page, stack.app.url, customer.email, customer.password, 'customer-dashboard');
        await page.locator('account-history tbody tr', { hasText: 'Rent share' }).waitFor();
        await page.locator('pending-holds li[data-status="pending"]').waitFor();
      },
    },
    {
      name: 'employee-queue',
      open: async (page) => {
        await signIn(page, stack.app.url, employee.email, TEST_PASSWORD, 'employee-queue');
        await page.locator('employee-queue [data-fact="recent"]').waitFor();
        await page.locator('employee-queue li[data-type="limit_increase"]').waitFor();
      },
    },
    {
      name: 'admin-console',
      open: async (page) => {
        await signIn(page, stack.app.url, stack.app.config.adminEmail, stack.app.config.adminPassword, 'admin-console');
        await page.locator('admin-console [data-locked-count]').waitFor();
      },
    },
  ];

  /** Each role's page background (theme.css): the calm customer's blue-grey, the employee's slate, the admin's zinc. */
  const BACKGROUNDS: Record<string, { role: string | null; light: string; dark: string }> = {
    'sign-in': { role: null, light: 'rgb(245, 247, 251)', dark: 'rgb(13, 17, 23)' },
    register: { role: null, light: 'rgb(245, 247, 251)', dark: 'rgb(13, 17, 23)' },
    'customer-dashboard': { role: 'customer', light: 'rgb(245, 247, 251)', dark: 'rgb(13, 17, 23)' },
    'employee-queue': { role: 'employee', light: 'rgb(241, 245, 249)', dark: 'rgb(2, 6, 23)' },
    'admin-console': { role: 'admin', light: 'rgb(250, 250, 250)', dark: 'rgb(9, 9, 11)' },
  };

  for (const colorScheme of ['light', 'dark'] as const) {
    it.each(screens.map((screen) => [screen.name, screen]))(`%s (${colorScheme})`, async (name, screen) => {
      const context = await newContext(browser, { colorScheme, axe: true });
      const page = await context.newPage();
      await screen.open(page);
      const expected = BACKGROUNDS[name];
      expect(await page.evaluate<string | null>('document.documentElement.getAttribute("data-role")')).toBe(expected.role);
      const background = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      expect(background).toBe(expected[colorScheme]);
      await screenshot(page, `${name}-${colorScheme}`);
      expect(await seriousViolations(page)).toEqual([]);
      await context.close();
    });
  }

  it.each(screens.map((screen) => [screen.name, screen]))('%s on a phone (390×844): no table or list cut at the right, accessible', async (name, screen) => {
    const context = await newContext(browser, { phone: true, axe: true });
    const page = await context.newPage();
    await screen.open(page);
    expect(await page.evaluate<string[]>(SIDEWAYS_CUTS)).toEqual([]);
    await screenshot(page, `${name}-phone`);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('the theme switch overrides the system setting and is remembered after a reload', async () => {
    const context = await newContext(browser, { colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(`${stack.app.url}/`);
    await page.getByRole('button', { name: 'Light theme' }).click();
    await page.getByRole('button', { name: 'Dark theme' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Dark theme' }).waitFor();
    expect(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor')).toBe('rgb(13, 17, 23)');
    await context.close();
  });
});
