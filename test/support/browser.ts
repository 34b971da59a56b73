import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); `npx playwright install` cannot work on these machines. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = resolve('test-artifacts');
const AXE_PATH = require.resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown }>;
}

/** Headless Chromium with the flags this closed network needs (no background calls home). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** A fresh browser profile (its own cookies and storage) at a phone or desktop size; `axe`: CSP bypassed so axe-core can be injected. */
export async function newContext(browser: Browser, options: { colorScheme?: 'light' | 'dark'; phone?: boolean; axe?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    locale: 'en-US',
    timezoneId: 'UTC',
    ...(options.axe ? { bypassCSP: true } : {}),
  });
}

/** axe-core over the page, shadow roots included: its serious and critical violations (the page's context needs `axe: true`). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  // A string, evaluated in the page: this file is compiled without the DOM's types.
  const violations = await page.evaluate<AxeViolation[]>(`axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations)`);
  if (process.env.AXE_VERBOSE) console.log(JSON.stringify(violations.map((v) => [v.id, v.impact, v.nodes.length])));
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** Waits until the first element of `locator` with `text` is visible. */
export async function expectText(locator: Locator, text: string, timeout = 5_000): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the real form and waits for the role's home view. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string, expectedView: 'customer-dashboard' | 'employee-queue' | 'admin-console'): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator(expectedView).waitFor();
}

/**
 * Sends the transfer filled in the page's money form through its confirmation step: Transfer, then
 * Confirm on "Send $X to Bob B. (…1234)?" (`double`: a double click on Confirm). Resolves with
 * that question, as the person read it.
 */
export async function submitTransfer(page: Page, options: { double?: boolean } = {}): Promise<string> {
  const form = page.locator('money-form');
  await form.getByRole('button', { name: 'Transfer', exact: true }).click();
  const confirm = form.getByRole('button', { name: 'Confirm', exact: true });
  await confirm.waitFor();
  const question = (await form.locator('[data-confirm-question]').textContent())?.trim() ?? '';
  await (options.double ? confirm.dblclick() : confirm.click());
  return question;
}
