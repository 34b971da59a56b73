import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './processes';

type ProxyState = 'open' | 'cut' | 'stalled';

/** One client connection and its upstream, with what a stall held back in each direction. */
interface Pair {
  client: Socket;
  upstream: Socket;
  held: Array<{ to: Socket; chunk: Buffer }>;
}

/**
 * A small TCP proxy in front of PostgreSQL or Redis for fault injection: the platform is pointed
 * at it, and a test cuts it (every connection reset, new ones refused at once), stalls it (bytes
 * stop flowing both ways, connections stay open: a network that answers nothing) or restores it.
 * The shared servers behind it are never touched.
 */
export class TcpProxy {
  private state: ProxyState = 'open';
  private readonly pairs = new Set<Pair>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const port = await freePort();
    let proxy!: TcpProxy;
    const server = createServer((client) => proxy.accept(client, target));
    proxy = new TcpProxy(server, port);
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => done());
    });
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  proxied(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** Every open connection reset; a new one is reset as soon as it arrives. */
  cut(): void {
    this.state = 'cut';
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Nothing flows any more, in either direction; connections (old and new) stay open and silent. */
  stall(): void {
    this.state = 'stalled';
  }

  /** Traffic flows again; a stalled connection delivers what it held back. */
  restore(): void {
    this.state = 'open';
    for (const pair of this.pairs) {
      for (const { to, chunk } of pair.held.splice(0)) to.write(chunk);
    }
  }

  get connections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.state === 'cut') {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: Pair = { client, upstream, held: [] };
    this.pairs.add(pair);
    const end = () => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (this.state === 'stalled') pair.held.push({ to, chunk });
        else to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  }
}
