import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import httpProxy from 'http-proxy';

/** Requests larger than the api accepts are refused here already (the api's limit is 100 kB). */
const BODY_LIMIT_BYTES = 1024 * 1024;
const HEALTH_EVERY_MS = 500;
const HEALTH_TIMEOUT_MS = 400;
/** The cookie that keeps a browser's Socket.IO long-polling on the api that holds its session. */
const STICKY_COOKIE = 'bc_backend';

export interface Backend {
  name: string;
  port: number;
}

interface BackendState extends Backend {
  healthy: boolean;
}

/**
 * The small load balancer of `npm run stack` (what nginx does in docker-compose): round-robin
 * over the healthy api processes, WebSocket upgrades passed through, Socket.IO long-polling kept
 * on one api by a cookie. A request is read whole before it is forwarded, so one that meets a
 * closed port (an api restarting) is sent to another api: nothing reached the first, so nothing
 * runs twice; one whose connection is cut is resent only if repeating it is harmless. Health comes from each api's /health/live, every half second.
 */
export class Balancer {
  private readonly backends: BackendState[];
  private readonly proxy = httpProxy.createProxyServer({ xfwd: true, agent: new http.Agent({ keepAlive: false }), proxyTimeout: 60_000 });
  private readonly server = http.createServer((request, response) => void this.web(request, response));
  private next = 0;
  private healthTimer: ReturnType<typeof setInterval> | undefined;

  constructor(backends: Backend[]) {
    this.backends = backends.map((backend) => ({ ...backend, healthy: true }));
    this.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head));
    this.proxy.on('proxyRes', (proxyResponse, request) => {
      const backend = (request as IncomingMessage & { backend?: BackendState }).backend;
      if (!backend) return;
      proxyResponse.headers['x-served-by'] = backend.name;
      if (request.url?.startsWith('/socket.io/') && !/[?&]sid=/.test(request.url)) {
        const cookie = `${STICKY_COOKIE}=${backend.name}; Path=/socket.io/; HttpOnly; SameSite=Strict`;
        const existing = proxyResponse.headers['set-cookie'] ?? [];
        proxyResponse.headers['set-cookie'] = [...existing, cookie];
      }
    });
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    await this.checkHealth();
    this.healthTimer = setInterval(() => void this.checkHealth(), HEALTH_EVERY_MS);
    this.healthTimer.unref();
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    clearInterval(this.healthTimer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.proxy.close();
  }

  get healthyBackends(): string[] {
    return this.backends.filter((backend) => backend.healthy).map((backend) => backend.name);
  }

  private async checkHealth(): Promise<void> {
    await Promise.all(
      this.backends.map(async (backend) => {
        try {
          const answer = await fetch(`http://127.0.0.1:${backend.port}/health/live`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
          backend.healthy = answer.ok;
        } catch {
          backend.healthy = false;
        }
      }),
    );
  }

  /** Round-robin over the healthy apis (all of them, if none looks healthy), skipping `except`. */
  private pick(except: Set<BackendState> = new Set()): BackendState | undefined {
    const candidates = this.backends.filter((backend) => backend.healthy && !except.has(backend));
    const pool = candidates.length > 0 ? candidates : this.backends.filter((backend) => !except.has(backend));
    if (pool.length === 0) return undefined;
    return pool[this.next++ % pool.length];
  }

  private sticky(request: IncomingMessage): BackendState | undefined {
    if (!request.url?.startsWith('/socket.io/')) return undefined;
    const name = new RegExp(`(?:^|;\\s*)${STICKY_COOKIE}=([^;]+)`).exec(request.headers.cookie ?? '')?.[1];
    return this.backends.find((backend) => backend.name === name && backend.healthy);
  }

  private async web(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch {
      return unavailable(response, 413, 'The request body is too large.');
    }
    const tried = new Set<BackendState>();
    const attempt = (backend: BackendState | undefined): void => {
      if (!backend) return unavailable(response, 503, 'No api process is answering; try again in a moment.');
      tried.add(backend);
      (request as IncomingMessage & { backend?: BackendState }).backend = backend;
      this.proxy.web(request, response, { target: `http://127.0.0.1:${backend.port}`, buffer: Readable.from([body]) }, (error: NodeJS.ErrnoException) => {
        // A refused connection reached nothing: always safe to send elsewhere. A connection cut
        // before any answer may have reached the api: resent only when a repeat cannot act twice
        // (a read, or a call with an Idempotency-Key, which the api answers as a replay).
        const retryable = error.code === 'ECONNREFUSED' || (error.code === 'ECONNRESET' && isRepeatable(request));
        if (retryable && !response.headersSent) {
          backend.healthy = false; // it is going away: no more traffic until its health says otherwise
          return attempt(this.pick(tried));
        }
        if (!response.headersSent) unavailable(response, 502, 'The api process failed to answer.');
        else response.destroy();
      });
    };
    attempt(this.sticky(request) ?? this.pick());
  }

  /**
   * A WebSocket goes to any healthy api, unless it upgrades a long-polling session (which lives on
   * the api its cookie names). One refused by an api that is going away makes the client retry
   * after its back-off; by then that api is out of the rotation.
   */
  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const backend = this.sticky(request) ?? this.pick();
    if (!backend) return void socket.destroy();
    this.proxy.ws(request, socket, head, { target: `http://127.0.0.1:${backend.port}` }, (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') backend.healthy = false;
      socket.destroy();
    });
  }
}

function isRepeatable(request: IncomingMessage): boolean {
  return request.method === 'GET' || request.method === 'HEAD' || typeof request.headers['idempotency-key'] === 'string';
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) reject(new Error('too large')); // the rest is drained unread
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** A problem document from the balancer itself (API.md's error shape), with Retry-After. */
function unavailable(response: ServerResponse, status: number, detail: string): void {
  if (response.headersSent) return void response.destroy();
  response.writeHead(status, { 'content-type': 'application/problem+json', 'retry-after': '1', ...(status === 413 ? { connection: 'close' } : {}) });
  response.end(JSON.stringify({ type: 'urn:bankingcore:problem:service-unavailable', title: 'Service Unavailable', status, detail, code: status === 413 ? 'VALIDATION_FAILED' : 'SERVICE_UNAVAILABLE' }));
}
