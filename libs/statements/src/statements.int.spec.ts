import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestContext } from '@mikro-orm/postgresql';
import type { Response } from 'supertest';
import { BackdatedPostingsService, type BackdatedPosting } from '@bank/ledger/backdated/backdated-postings.service';
import { BackdatedPostingsRepository } from '@bank/ledger/backdated/backdated-postings.repository';
import { bearer, TestApp, type TestCustomer } from '../../../test/support/test-app';
import { BankApiClient } from '@bank/contracts/client/bank-api-client';
import { ApiProblem } from '@bank/contracts/client/api-problem';
import { formatMinorUnits } from './statement-format';

/** RFC 4180 back into rows (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') row.push(field), (field = '');
    else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++;
    } else field += char;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

interface ParsedStatement {
  figures: Map<string, string>;
  header: string[];
  lines: Array<{ date: string; kind: string; description: string; counterparty: string; amount: string; runningBalance: string }>;
}

function parseStatement(csv: string): ParsedStatement {
  const rows = parseCsv(csv);
  const blank = rows.findIndex((row) => row.length === 1 && row[0] === '');
  const figures = new Map(rows.slice(0, blank).map(([label, value]) => [label, value]));
  const [header, ...table] = rows.slice(blank + 1);
  return {
    figures,
    header,
    lines: table.map(([date, kind, description, counterparty, amount, runningBalance]) => ({ date, kind, description, counterparty, amount, runningBalance })),
  };
}

function binary(response: Response, callback: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => callback(null, Buffer.concat(chunks)));
}

function pdfText(pdf: Buffer): string {
  const folder = mkdtempSync(join(tmpdir(), 'statement-'));
  try {
    writeFileSync(join(folder, 's.pdf'), pdf);
    return execFileSync('pdftotext', ['-layout', join(folder, 's.pdf'), '-'], { encoding: 'utf8' });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const utc = (year: number, monthIndex: number, day = 1, h = 0, m = 0, s = 0, ms = 0) => new Date(Date.UTC(year, monthIndex, day, h, m, s, ms));
const monthText = (date: Date) => date.toISOString().slice(0, 7);

/**
 * On a database of its own: the balances above 2^53 made here would otherwise be every other
 * test file's admin totals in the run's shared database.
 */
describe('monthly statements (GET /accounts/:id/statements/:month)', () => {
  let t: TestApp;
  let holder: TestCustomer;
  let payee: TestCustomer;
  /** Every posting of the holder's account, oldest first, with its signed amount for the holder. */
  const model: Array<{ at: Date; amount: number; kind: string; description: string }> = [];
  /** The first of the current UTC month, and the 12 months before it. */
  const now = new Date();
  const currentStart = utc(now.getUTCFullYear(), now.getUTCMonth());
  const months = Array.from({ length: 13 }, (_, i) => utc(now.getUTCFullYear(), now.getUTCMonth() - 12 + i));

  const statement = (customer: TestCustomer, month: string, accept?: string) => {
    const call = t.http().get(`/api/v1/accounts/${customer.accountId}/statements/${month}`).set(bearer(customer.accessToken));
    return accept === undefined ? call : call.set('Accept', accept);
  };
  const pdf = async (customer: TestCustomer, month: string) => {
    const response = await statement(customer, month, 'application/pdf').buffer(true).parse(binary).expect(200);
    return { response, text: pdfText(response.body as Buffer) };
  };
  const postBackdated = (postings: BackdatedPosting[]) =>
    RequestContext.create(t.orm().em, () => t.app.get(BackdatedPostingsService, { strict: false }).postOnce(`statements-test:${postings[0].initiatedBy}`, postings));

  beforeAll(async () => {
    t = await TestApp.startOnOwnDatabase('statements');
    holder = await t.newCustomer({ fullName: 'Ada Statement' });
    payee = await t.newCustomer({ fullName: 'Zoë Łukasz-李' });
    // A year of history: a salary on the 1st at 00:00, rent at 23:59:59.999 on the month's last day,
    // transfers both ways with awkward descriptions; one month (index 5) holds 130 entries for page breaks.
    const postings: BackdatedPosting[] = [];
    const push = (posting: Omit<BackdatedPosting, 'initiatedBy'>) => postings.push({ ...posting, initiatedBy: holder.user.id });
    months.forEach((start, index) => {
      const y = start.getUTCFullYear();
      const m = start.getUTCMonth();
      const isCurrent = index === 12;
      push({ kind: 'deposit', debitAccountId: null, creditAccountId: holder.accountId, amount: 250_000 + index, description: `Salary ${index}`, at: utc(y, m, 1) });
      if (isCurrent) return; // the rest of the current month is in the future, or made through the api below
      push({ kind: 'transfer', debitAccountId: holder.accountId, creditAccountId: payee.accountId, amount: 1_250 + index, description: '=HYPERLINK("x"), "quoted"', at: utc(y, m, 3, 9, 30) });
      push({ kind: 'transfer', debitAccountId: payee.accountId, creditAccountId: holder.accountId, amount: 999, description: 'Refund\nline two, with comma', at: utc(y, m, 10, 12) });
      push({ kind: 'withdrawal', debitAccountId: holder.accountId, creditAccountId: null, amount: 4_000, description: '-cash @atm +tip', at: utc(y, m, 15, 18) });
      if (index === 5) {
        for (let i = 0; i < 130; i++) push({ kind: 'withdrawal', debitAccountId: holder.accountId, creditAccountId: null, amount: 100 + i, description: `Coffee ${i}`, at: utc(y, m, 20, 8, i % 60, Math.floor(i / 60)) });
      }
      push({ kind: 'withdrawal', debitAccountId: holder.accountId, creditAccountId: null, amount: 120_000, description: 'Rent', at: new Date(utc(y, m + 1).getTime() - 1) });
    });
    // The payee's side needs money before the holder's first refund.
    postings.push({ kind: 'deposit', debitAccountId: null, creditAccountId: payee.accountId, amount: 1_000_000, description: 'Payee float', initiatedBy: holder.user.id, at: utc(months[0].getUTCFullYear(), months[0].getUTCMonth(), 1, 0, 0, 0, 1) });
    expect(await postBackdated(postings)).toBe(true);
    for (const posting of [...postings].sort((a, b) => a.at.getTime() - b.at.getTime())) {
      const sign = posting.creditAccountId === holder.accountId ? 1 : posting.debitAccountId === holder.accountId ? -1 : 0;
      if (sign !== 0) model.push({ at: posting.at, amount: sign * posting.amount, kind: posting.kind, description: posting.description });
    }
    // And one posted now, through the api: the current month is the statement to date.
    await t.http().post(`/api/v1/accounts/${holder.accountId}/deposits`).set(bearer(holder.accessToken)).send({ amount: 777, description: 'Today' }).expect(201);
    model.push({ at: new Date(), amount: 777, kind: 'deposit', description: 'Today' });
  });
  afterAll(() => t?.close());

  it('every month of a year: opening + entries = closing, each opening is the last closing, totals and running balances right', async () => {
    let previousClosing: string | null = null;
    for (const start of months) {
      const month = monthText(start);
      const response = await statement(holder, month, 'text/csv').expect(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="statement-${holder.accountNumber}-${month}.csv"`);
      const parsed = parseStatement(response.text);
      const end = utc(start.getUTCFullYear(), start.getUTCMonth() + 1);
      const before = model.filter((entry) => entry.at < start);
      const inMonth = model.filter((entry) => entry.at >= start && entry.at < end);
      const opening = before.reduce((sum, entry) => sum + entry.amount, 0);
      const closing = opening + inMonth.reduce((sum, entry) => sum + entry.amount, 0);

      expect(parsed.figures.get('Account holder')).toBe('Ada Statement');
      expect(parsed.figures.get('Account number')).toBe(holder.accountNumber);
      expect(parsed.figures.get('Currency')).toBe('USD');
      expect(parsed.figures.get('Opening balance')).toBe(formatMinorUnits(BigInt(opening)));
      expect(parsed.figures.get('Closing balance')).toBe(formatMinorUnits(BigInt(closing)));
      expect(parsed.figures.get('Total in')).toBe(formatMinorUnits(BigInt(inMonth.filter((e) => e.amount > 0).reduce((s, e) => s + e.amount, 0))));
      expect(parsed.figures.get('Total out')).toBe(formatMinorUnits(BigInt(inMonth.filter((e) => e.amount < 0).reduce((s, e) => s + e.amount, 0))));
      expect(parsed.figures.get('Period')).toContain(start.toISOString().slice(0, 10));
      if (previousClosing !== null) expect(parsed.figures.get('Opening balance')).toBe(previousClosing);
      previousClosing = parsed.figures.get('Closing balance')!;

      expect(parsed.header).toEqual(['Date (UTC)', 'Kind', 'Description', 'Counterparty', 'Amount', 'Running balance']);
      expect(parsed.lines).toHaveLength(inMonth.length);
      let running = opening;
      parsed.lines.forEach((line, i) => {
        running += inMonth[i].amount;
        // The one posted through the api is stamped by PostgreSQL, not by the model.
        if (inMonth[i].description !== 'Today') expect(line.date).toBe(inMonth[i].at.toISOString());
        expect(line.description).toBe(inMonth[i].description.startsWith('=') || inMonth[i].description.startsWith('-') ? `'${inMonth[i].description}` : inMonth[i].description);
        expect(line.kind).toBe(inMonth[i].kind);
        expect(line.amount).toBe(formatMinorUnits(BigInt(inMonth[i].amount)));
        expect(line.runningBalance).toBe(formatMinorUnits(BigInt(running)));
      });
    }
    // The boundaries themselves: the 1st at 00:00 opens a month, 23:59:59.999 on its last day closes it.
    const first = parseStatement((await statement(holder, monthText(months[3])).expect(200)).text);
    expect(first.lines[0].date).toBe(months[3].toISOString());
    expect(first.lines.at(-1)!.date).toBe(new Date(months[4].getTime() - 1).toISOString());
    expect(first.lines.at(-1)!.description).toBe('Rent');
  });

  it('escapes the CSV: quotes, commas and line breaks round-trip, formulas are defused', async () => {
    const parsed = parseStatement((await statement(holder, monthText(months[2]), '*/*').expect(200)).text);
    const descriptions = parsed.lines.map((line) => line.description);
    expect(descriptions).toContain(`'=HYPERLINK("x"), "quoted"`);
    expect(descriptions).toContain('Refund\nline two, with comma');
    expect(descriptions).toContain(`'-cash @atm +tip`);
    const outgoing = parsed.lines.find((line) => line.description.startsWith(`'=`))!;
    expect(outgoing.counterparty).toBe(`Zoë Łukasz-李 (${payee.accountNumber})`);
    // Negative amounts stay numbers.
    expect(outgoing.amount).toMatch(/^-\d+\.\d{2}$/);
  });

  it('the current month is the statement to date; a month before the account had entries is empty with zero balances', async () => {
    const current = parseStatement((await statement(holder, monthText(currentStart)).expect(200)).text);
    expect(current.figures.get('Period')).toContain('to date');
    expect(current.lines.map((line) => line.description)).toEqual(['Salary 12', 'Today']);
    expect(current.figures.get('Closing balance')).toBe(formatMinorUnits(BigInt(model.reduce((sum, entry) => sum + entry.amount, 0))));

    const early = utc(months[0].getUTCFullYear(), months[0].getUTCMonth() - 3);
    const empty = parseStatement((await statement(holder, monthText(early)).expect(200)).text);
    expect(empty.lines).toEqual([]);
    for (const label of ['Opening balance', 'Closing balance', 'Total in', 'Total out']) expect(empty.figures.get(label)).toBe('0.00');

    const periods = await t.http().get(`/api/v1/accounts/${holder.accountId}/statements`).set(bearer(holder.accessToken)).expect(200);
    expect(periods.body).toEqual({ firstMonth: monthText(months[0]), currentMonth: monthText(currentStart) });
  });

  it('the PDF shows the same figures as the CSV, page breaks repeat the header, page numbers', async () => {
    const month = monthText(months[5]);
    const csv = parseStatement((await statement(holder, month).expect(200)).text);
    const { response, text } = await pdf(holder, month);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="statement-${holder.accountNumber}-${month}.pdf"`);
    for (const label of ['Account holder', 'Account number', 'Opening balance', 'Closing balance', 'Total in', 'Total out']) {
      expect(text).toMatch(new RegExp(`${label}:\\s+${csv.figures.get(label)!.replace(/[.()]/g, '\\$&')}`));
    }
    expect(csv.lines.length).toBeGreaterThan(130);
    for (const line of [csv.lines[0], csv.lines[70], csv.lines.at(-1)!]) {
      expect(text).toMatch(new RegExp(`${line.date.slice(0, 10)} ${line.date.slice(11, 19)}.*${line.amount.replace('.', '\\.')}\\s+${line.runningBalance.replace('.', '\\.')}`));
    }
    expect(text).toContain('Page 1');
    expect(text).toContain('Page 2');
    expect(text.match(/Date \(UTC\) +Kind +Description +Counterparty +Amount +Running balance/g)).toHaveLength(3);
    // The payee's name has characters the standard font cannot show: replaced, never a 500.
    expect(text).toContain(`Zoë ?ukasz-? (${payee.accountNumber})`);
  });

  it('the Accept header picks the format; anything else is 406 NOT_ACCEPTABLE', async () => {
    const month = monthText(currentStart);
    expect((await statement(holder, month, 'text/csv;q=0.5, application/pdf').buffer(true).parse(binary).expect(200)).headers['content-type']).toBe('application/pdf');
    expect((await statement(holder, month, 'application/*').buffer(true).parse(binary).expect(200)).headers['content-type']).toBe('application/pdf');
    expect((await statement(holder, month, 'text/*, application/pdf;q=0.9').expect(200)).headers['content-type']).toBe('text/csv; charset=utf-8');
    expect((await statement(holder, month, '').expect(200)).headers['content-type']).toBe('text/csv; charset=utf-8');
    for (const accept of ['application/json', 'text/html, image/*', 'text/csv;q=0']) {
      const refused = await statement(holder, month, accept).expect(406);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ code: 'NOT_ACCEPTABLE', status: 406, accepted: ['text/csv', 'application/pdf'] });
    }
    const openApi = (await t.http().get('/api/docs-json').expect(200)).body;
    const documented = openApi.paths['/api/v1/accounts/{id}/statements/{month}'].get;
    expect(documented.description).toContain('NOT_ACCEPTABLE');
    expect(Object.keys(documented.responses['200'].content)).toEqual(['text/csv', 'application/pdf']);
  });

  it("bad and future months are 400; another customer's or a guessed account is 404", async () => {
    const next = utc(now.getUTCFullYear(), now.getUTCMonth() + 1);
    for (const month of ['2026-13', '2026-1', 'abc', '2026-00', '202611', monthText(next)]) {
      const response = await statement(holder, month).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    const stranger = await t.newCustomer();
    for (const path of [`${holder.accountId}/statements/${monthText(currentStart)}`, `${holder.accountId}/statements`, `00000000-0000-4000-8000-00000000abcd/statements/2026-01`, 'not-a-uuid/statements/2026-01']) {
      const response = await t.http().get(`/api/v1/accounts/${path}`).set(bearer(stranger.accessToken)).expect(404);
      expect(response.body.code).toBe('NOT_FOUND');
    }
    // Someone else's account with a bad month or an unacceptable Accept is still just "not found".
    await t.http().get(`/api/v1/accounts/${holder.accountId}/statements/2026-13`).set(bearer(stranger.accessToken)).expect(404);
    await t.http().get(`/api/v1/accounts/${holder.accountId}/statements/${monthText(currentStart)}`).set(bearer(stranger.accessToken)).set('Accept', 'image/png').expect(404);
  });

  it('balances and totals above 2^53 are exact', async () => {
    const rich = await t.newCustomer({ fullName: 'Rich Holder' });
    const at = utc(months[1].getUTCFullYear(), months[1].getUTCMonth(), 2);
    const big = Number.MAX_SAFE_INTEGER; // 2^53 − 1
    expect(
      await postBackdated([
        { kind: 'deposit', debitAccountId: null, creditAccountId: rich.accountId, amount: big, description: 'one', initiatedBy: rich.user.id, at },
        { kind: 'deposit', debitAccountId: null, creditAccountId: rich.accountId, amount: big, description: 'two', initiatedBy: rich.user.id, at: new Date(at.getTime() + 1000) },
        { kind: 'withdrawal', debitAccountId: rich.accountId, creditAccountId: null, amount: 1, description: 'three', initiatedBy: rich.user.id, at: new Date(at.getTime() + 2000) },
      ]),
    ).toBe(true);
    const month = monthText(months[1]);
    const parsed = parseStatement((await statement(rich, month).expect(200)).text);
    expect(parsed.figures.get('Total in')).toBe('180143985094819.82');
    expect(parsed.figures.get('Total out')).toBe('-0.01');
    expect(parsed.figures.get('Closing balance')).toBe('180143985094819.81');
    expect(parsed.lines.map((line) => line.runningBalance)).toEqual(['90071992547409.91', '180143985094819.82', '180143985094819.81']);
    const { text } = await pdf(rich, month);
    expect(text).toContain('180143985094819.81');
  });

  it('a month is a range of commit order: entries whose times and order disagree at midnight still add up', async () => {
    const racer = await t.newCustomer({ fullName: 'Race Boundary' });
    const boundary = months[8];
    const before = new Date(boundary.getTime() - 1);
    const repository = t.app.get(BackdatedPostingsRepository, { strict: false });
    const post = (amount: number, at: Date, description: string) =>
      repository.post({ kind: 'deposit', debitAccountId: null, creditAccountId: racer.accountId, amount, description, initiatedBy: racer.user.id, at });
    // Committed in this order (account_seq 1, 2, 3), though the third was stamped before the second.
    await RequestContext.create(t.orm().em, () =>
      t.orm().em.transactional(async () => {
        await post(100, new Date(before.getTime() - 60_000), 'early');
        await post(200, boundary, 'after midnight, committed first');
        await post(400, before, 'before midnight, committed second');
        await post(800, new Date(boundary.getTime() + 60_000), 'later');
      }),
    );
    const previous = parseStatement((await statement(racer, monthText(months[7])).expect(200)).text);
    const next = parseStatement((await statement(racer, monthText(boundary)).expect(200)).text);
    // The month ends after the last entry stamped in it: the one committed in between is in it too.
    expect(previous.lines.map((line) => line.description)).toEqual(['early', 'after midnight, committed first', 'before midnight, committed second']);
    expect(previous.figures.get('Closing balance')).toBe('7.00');
    expect(next.figures.get('Opening balance')).toBe('7.00');
    expect(next.lines.map((line) => line.description)).toEqual(['later']);
    expect(next.figures.get('Closing balance')).toBe('15.00');
  });

  it('the typed client downloads a statement as a Blob, and a refusal as an ApiProblem', async () => {
    const client = new BankApiClient({ baseUrl: t.url, accessToken: () => holder.accessToken });
    const month = monthText(months[2]);
    const csv = await client.statement(holder.accountId, month, 'csv');
    expect(csv.type).toMatch(/^text\/csv/);
    expect(parseStatement(await csv.text()).figures.get('Account number')).toBe(holder.accountNumber);
    const pdfBlob = await client.statement(holder.accountId, month, 'pdf');
    expect(pdfBlob.type).toBe('application/pdf');
    expect(pdfText(Buffer.from(await pdfBlob.arrayBuffer()))).toContain('Ada Statement');
    expect(await client.statementPeriods(holder.accountId)).toEqual({ firstMonth: monthText(months[0]), currentMonth: monthText(currentStart) });
    const refused = await client.statement(payee.accountId, month, 'csv').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiProblem);
    expect(refused).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const unreachable = await new BankApiClient({ baseUrl: 'http://127.0.0.1:9', accessToken: () => holder.accessToken }).statement(holder.accountId, month, 'csv').catch((error: unknown) => error);
    expect(unreachable).toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
  });
});
