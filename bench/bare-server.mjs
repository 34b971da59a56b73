#!/usr/bin/env node
// The bare reference of the transfers benchmark (not the product): the least a server can do for
// POST /api/v1/transfers on this machine — node:http, an HS256 check of the api's own access
// tokens, JSON parsing and a minimal shape check, then the same SQL the api runs
// (`money_execute`, one round trip, with the same group commit: commands that arrive while a
// batch is in flight go in the next one). No framework, logging or rate limits, so
// `ratioToBare` in the benchmark says what everything the api does around the SQL costs.
// Besides POST /api/v1/transfers it answers GET /metrics with the two series of the api's
// `bankingcore_money_batch_commands` histogram the benchmark reads (commands per call: _sum, _count).
// MONEY_BATCHES_IN_FLIGHT and MONEY_BATCH_MAX are read as the api reads them (defaults 1 and 256).
//
//   DATABASE_URL=… JWT_SECRET=… PORT=… [MONEY_BATCHES_IN_FLIGHT=1] [MONEY_BATCH_MAX=256] node bench/bare-server.mjs
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';

const { DATABASE_URL, JWT_SECRET, PORT = '0', HOST = '127.0.0.1' } = process.env;
const BATCHES_IN_FLIGHT = Number(process.env.MONEY_BATCHES_IN_FLIGHT ?? 1);
const BATCH_MAX = Number(process.env.MONEY_BATCH_MAX ?? 256);
if (!DATABASE_URL || !JWT_SECRET) throw new Error('DATABASE_URL and JWT_SECRET are required');

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: BATCHES_IN_FLIGHT, application_name: 'bankingcore-bare-reference' });
const key = Buffer.from(JWT_SECRET);

/** The user id of a valid access token (HS256, issuer, type, expiry), else null. */
function userOf(authorization) {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  if (!token) return null;
  const [header, payload, signature] = token.split('.');
  if (!signature) return null;
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  if (JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'HS256') return null;
  if (claims.typ !== 'access' || claims.iss !== 'bankingcore' || claims.exp * 1000 <= Date.now()) return null;
  return claims.sub;
}

// Group commit, as small as it gets.
const waiting = [];
let inFlight = 0;
const batches = { calls: 0, commands: 0 };
function submit(command) {
  return new Promise((resolve, reject) => {
    waiting.push({ command, resolve, reject });
    pump();
  });
}
function pump() {
  while (inFlight < BATCHES_IN_FLIGHT && waiting.length > 0) {
    const batch = waiting.splice(0, BATCH_MAX);
    inFlight++;
    batches.calls++;
    batches.commands += batch.length;
    pool
      .query({ name: 'money-execute', text: 'select money_execute($1::json) as outcomes', values: [JSON.stringify(batch.map((w, i) => ({ ...w.command, n: i + 1 })))] })
      .then(
        (result) => batch.forEach((w, i) => w.resolve(result.rows[0].outcomes[i])),
        (error) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        inFlight--;
        pump();
      });
  }
}

function reply(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': status < 300 ? 'application/json; charset=utf-8' : 'application/problem+json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function replyMetrics(response) {
  const text = `bankingcore_money_batch_commands_sum ${batches.commands}\nbankingcore_money_batch_commands_count ${batches.calls}\n`;
  response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/metrics') return replyMetrics(response);
  if (request.method !== 'POST' || request.url !== '/api/v1/transfers') return reply(response, 404, { code: 'NOT_FOUND' });
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', async () => {
    const userId = userOf(request.headers.authorization);
    if (!userId) return reply(response, 401, { code: 'TOKEN_INVALID' });
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      return reply(response, 400, { code: 'VALIDATION_FAILED' });
    }
    const { fromAccountId, toAccountNumber, amount, description } = body ?? {};
    if (typeof fromAccountId !== 'string' || !/^\d{12}$/.test(toAccountNumber) || !Number.isInteger(amount) || amount < 1 || amount > 1e11) {
      return reply(response, 400, { code: 'VALIDATION_FAILED' });
    }
    const idempotencyKey = request.headers['idempotency-key'] ?? null;
    try {
      const outcome = await submit({
        op: 'transfer',
        user_id: userId,
        key: idempotencyKey,
        fingerprint: idempotencyKey && createHash('sha256').update(JSON.stringify(body)).digest('hex'),
        account_id: fromAccountId,
        to_number: toAccountNumber,
        amount,
        description: description ?? null,
      });
      if (outcome.reused) return reply(response, 422, { code: 'IDEMPOTENCY_KEY_REUSED' });
      if (outcome.replayed) response.setHeader('idempotent-replayed', 'true');
      reply(response, outcome.status, outcome.status === 201 ? outcome.body : { code: outcome.body.refusal.code, status: outcome.status });
    } catch (error) {
      reply(response, 500, { code: 'INTERNAL_ERROR', detail: error.message });
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(PORT), HOST, () => process.stdout.write(`bare reference listening on ${HOST}:${server.address().port}\n`));
// A stop ends at once: keep-alive clients would otherwise hold the server open.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    pool.end().finally(() => process.exit(0));
  });
}
