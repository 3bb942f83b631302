import net from 'node:net';
import { counter, type Logger } from '../../platform/index.ts';

/** A backend of the proxy. */
export interface Backend {
  host: string;
  port: number;
}

/** Options of {@link startProxy}. */
export interface ProxyOptions {
  host: string;
  port: number;
  backends: Backend[];
  logger: Logger;
  /** A backend that refused a connection is skipped for this long. @default 1_000 */
  quarantineMs?: number;
  /** Bound of one backend connect. @default 2_000 */
  connectTimeoutMs?: number;
}

/** A running proxy. */
export interface Proxy {
  port: number;
  close(): Promise<void>;
}

const proxied = counter({ name: 'orderflow_proxy_connections_total', help: 'Client connections proxied, by backend and outcome', labelNames: ['backend', 'outcome'] });

/**
 * A small round-robin TCP proxy (HTTP and WebSocket pass through untouched). Each client connection
 * goes to the next backend; when that backend refuses or does not answer the connect, the next one
 * is tried (before any client byte is forwarded, so nothing is sent twice) and the refusing backend
 * is skipped for `quarantineMs`. So a killed API replica costs only the requests it was serving.
 */
export async function startProxy(opts: ProxyOptions): Promise<Proxy> {
  const quarantineMs = opts.quarantineMs ?? 1_000;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 2_000;
  const downUntil = new Map<number, number>();
  const log = opts.logger.child({ component: 'proxy' });
  let next = 0;
  const sockets = new Set<net.Socket>();

  function order(): number[] {
    const n = opts.backends.length;
    const start = next++ % n;
    const all = Array.from({ length: n }, (_, i) => (start + i) % n);
    const now = Date.now();
    const up = all.filter((i) => (downUntil.get(i) ?? 0) <= now);
    return up.length > 0 ? [...up, ...all.filter((i) => !up.includes(i))] : all;
  }

  function connect(client: net.Socket, candidates: number[]): void {
    const i = candidates[0];
    if (i === undefined) {
      proxied.inc({ backend: 'none', outcome: 'no_backend' });
      client.destroy();
      return;
    }
    const b = opts.backends[i] as Backend;
    const label = `${b.host}:${b.port}`;
    const upstream = net.connect({ host: b.host, port: b.port });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.setTimeout(connectTimeoutMs);
    const fail = (err: Error) => {
      downUntil.set(i, Date.now() + quarantineMs);
      upstream.destroy();
      log.debug({ backend: label, err: err.message }, 'backend refused; trying the next');
      proxied.inc({ backend: label, outcome: 'refused' });
      connect(client, candidates.slice(1));
    };
    upstream.once('timeout', () => fail(new Error('connect timeout')));
    upstream.once('error', fail);
    upstream.once('connect', () => {
      upstream.setTimeout(0);
      upstream.off('error', fail);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      proxied.inc({ backend: label, outcome: 'connected' });
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    connect(client, order());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  log.info({ host: opts.host, port: address.port, backends: opts.backends.map((b) => `${b.host}:${b.port}`) }, 'round-robin proxy listening');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
