import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { RequestContext } from '@mikro-orm/postgresql';
import { BackdatedPostingsService } from '@bank/ledger/backdated/backdated-postings.service';
import { launchChromium, newContext, screenshot, seriousViolations, signIn } from '../../support/browser';
import { freePort, RunningProcess } from '../../support/processes';
import { TestApp, type TestCustomer } from '../../support/test-app';
import { REDIS_URL, testDatabaseUrl, testRedisPrefix } from '../../support/test-env';

const monthText = (date: Date) => date.toISOString().slice(0, 7);

/**
 * The statements page (issue 20, item 5): the months from the account's first to the current one,
 * newest first, each with CSV and PDF downloads fetched with the session's token — at phone size.
 * The page talks to the built api (dist/, as the Docker image runs it): pdfkit's fonts load from there.
 */
describe('monthly statements, in the browser', () => {
  let t: TestApp;
  let browser: Browser;
  let customer: TestCustomer;
  let page: Page;
  let builtApi: RunningProcess;
  let builtApiUrl: string;
  const now = new Date();
  const twoMonthsAgo = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 14, 10));

  beforeAll(async () => {
    const port = await freePort();
    builtApi = new RunningProcess(['dist/apps/api/src/main.js'], {
      DATABASE_URL: testDatabaseUrl(),
      REDIS_URL,
      REDIS_KEY_PREFIX: testRedisPrefix(),
      PORT: String(port),
      READY_REQUIRES_WORKER: 'false',
      RATE_LIMITS: 'off',
      LOG_LEVEL: 'info',
    });
    builtApiUrl = `http://127.0.0.1:${port}`;
    [t, browser] = await Promise.all([TestApp.start(), launchChromium(), builtApi.waitFor(/api listening/, 30_000)]);
    customer = await t.newCustomer({ fullName: 'Stella Statement' });
    await RequestContext.create(t.orm().em, () =>
      t.app.get(BackdatedPostingsService, { strict: false }).postOnce(`statements-browser:${customer.user.id}`, [
        { kind: 'deposit', debitAccountId: null, creditAccountId: customer.accountId, amount: 123_456, description: 'Opening deposit, "first"', initiatedBy: customer.user.id, at: twoMonthsAgo },
        { kind: 'withdrawal', debitAccountId: customer.accountId, creditAccountId: null, amount: 2_050, description: 'Groceries', initiatedBy: customer.user.id, at: new Date(twoMonthsAgo.getTime() + 86_400_000) },
      ]),
    );
    page = await (await newContext(browser, { phone: true, axe: true })).newPage();
    await signIn(page, builtApiUrl, customer.email, customer.password, 'customer-dashboard');
    await page.getByRole('link', { name: 'Statements' }).click();
    await page.locator('statements-page [data-statements]').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await builtApi?.stop();
    await t?.close();
  });

  it('lists the months from the first entry to the current one, newest first', async () => {
    const months = await page.locator('statements-page li[data-month]').evaluateAll((items) => items.map((item) => item.getAttribute('data-month')));
    const expected = [0, 1, 2].map((back) => monthText(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1))));
    expect(months).toEqual(expected);
    await page.locator(`statements-page li[data-month="${expected[0]}"]`, { hasText: 'to date' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    // 390 px wide: nothing scrolls sideways.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'statements-phone');
  });

  it('a CSV download arrives with the statement of the month', async () => {
    const month = monthText(twoMonthsAgo);
    const name = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(twoMonthsAgo);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download the ${name} statement as CSV` }).click()]);
    expect(download.suggestedFilename()).toBe(`statement-${customer.accountNumber}-${month}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('Account holder,Stella Statement\r\n');
    expect(csv).toContain(`Account number,${customer.accountNumber}\r\n`);
    expect(csv).toContain('Opening balance,0.00\r\n');
    expect(csv).toContain('Closing balance,1214.06\r\n');
    expect(csv).toContain('"Opening deposit, ""first""",,1234.56,1234.56\r\n');
    expect(csv).toContain(',withdrawal,Groceries,,-20.50,1214.06\r\n');
    await page.locator('statements-page [role="status"]', { hasText: `Downloaded statement-${customer.accountNumber}-${month}.csv` }).waitFor();
  });

  it('a PDF download arrives too, its text readable', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`statements-page li[data-month="${monthText(now)}"] button`, { hasText: 'PDF' }).click()]);
    expect(download.suggestedFilename()).toBe(`statement-${customer.accountNumber}-${monthText(now)}.pdf`);
    const path = (await download.path())!;
    expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');
    // Drawn by the built api with pdfkit's standard fonts, readable back.
    const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
    expect(text).toMatch(/Account holder:\s+Stella Statement/);
    expect(text).toMatch(/Opening balance:\s+1214\.06/);
  });
});
