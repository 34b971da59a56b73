import type { Browser, Page } from 'playwright-core';
import { LiveStack } from '../../support/live-stack';
import { launchChromium, newContext, screenshot, signIn } from '../../support/browser';
import { TEST_PASSWORD, type TestCustomer, type TestStaff } from '../../support/test-app';

const AXE_PATH = require.resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown }>;
}

/** axe-core over the page, shadow roots included; the serious and critical violations. */
async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  // A string, evaluated in the page: this file is compiled without the DOM's types.
  const violations = await page.evaluate<AxeViolation[]>(`axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations)`);
  if (process.env.AXE_VERBOSE) console.log(JSON.stringify(violations.map((v) => [v.id, v.impact, v.nodes.length])));
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** Every page in both themes (and the customer's on a phone): a screenshot each, axe-core on each. */
describe('every screen, light and dark: screenshots and accessibility', () => {
  let stack: LiveStack;
  let browser: Browser;
  let customer: TestCustomer;
  let employee: TestStaff;
  beforeAll(async () => {
    [stack, browser] = await Promise.all([LiveStack.start('browser-screens'), launchChromium()]);
    const payer = await stack.app.newFundedCustomer(50_000, { fullName: 'Paula Payer' });
    customer = await stack.app.newFundedCustomer(250_000, { fullName: 'Alice Screens' });
    employee = await stack.app.newStaff('employee');
    await stack.app.http().post('/api/v1/transfers').set({ Authorization: `Bearer ${payer.accessToken}` }).send({ fromAccountId: payer.accountId, toAccountNumber: customer.accountNumber, amount: 12_345, description: 'Rent share' }).expect(201);
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
        await page.locator('account-history tbody tr', { hasText: 'Paula Payer' }).waitFor();
      },
    },
    { name: 'employee-queue', open: (page) => signIn(page, stack.app.url, employee.email, TEST_PASSWORD, 'employee-queue') },
    {
      name: 'admin-console',
      open: async (page) => {
        await signIn(page, stack.app.url, stack.app.config.adminEmail, stack.app.config.adminPassword, 'admin-console');
        await page.locator('admin-console [data-locked-count]').waitFor();
      },
    },
  ];

  for (const colorScheme of ['light', 'dark'] as const) {
    it.each(screens.map((screen) => [screen.name, screen]))(`%s (${colorScheme})`, async (name, screen) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme, locale: 'en-US', timezoneId: 'UTC', bypassCSP: true });
      const page = await context.newPage();
      await screen.open(page);
      const background = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      expect(background).toBe(colorScheme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(245, 247, 251)');
      await screenshot(page, `${name}-${colorScheme}`);
      expect(await seriousViolations(page)).toEqual([]);
      await context.close();
    });
  }

  it('the customer dashboard on a phone: no sideways scrolling, usable, accessible', async () => {
    const context = await newContext(browser, { phone: true });
    const page = await context.newPage();
    await signIn(page, stack.app.url, customer.email, customer.password, 'customer-dashboard');
    await page.locator('account-history tbody tr').first().waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'customer-dashboard-phone');
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
