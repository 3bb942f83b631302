import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectProcessMetrics, heapAfterGc, metrics, type Logger } from '../platform/index.ts';

/** Options of {@link startOpsServer}. */
export interface OpsServerOptions {
  host: string;
  /** 0 would pick a free port; callers skip the server entirely when the configured port is 0. */
  port: number;
  logger: Logger;
  /** Named dependency checks; all true (and {@link OpsServerOptions.accepting}) means ready. */
  readiness: () => Promise<Record<string, boolean>>;
  /** False while the role starts or drains: `/readyz` answers 503 so nothing new is routed here. */
  accepting: () => boolean;
  /** Upper bound of one `/readyz` evaluation. @default 3_000 */
  readinessTimeoutMs?: number;
  /** Serve `/debug/heap` (ORDERFLOW_DEBUG_HEAP). @default false */
  debugHeap?: boolean;
}

/** A running operations listener. */
export interface OpsServer {
  /** The port it listens on. */
  port: number;
  close(): Promise<void>;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function ready(opts: OpsServerOptions, res: http.ServerResponse): Promise<void> {
  if (!opts.accepting()) return json(res, 503, { status: 'not accepting work', checks: {} });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), opts.readinessTimeoutMs ?? 3_000);
  });
  try {
    const checks = await Promise.race([opts.readiness(), timeout]);
    if (checks === null) return json(res, 503, { status: 'unavailable', checks: {}, error: 'readiness checks timed out' });
    const ok = Object.values(checks).every((v) => v);
    return json(res, ok ? 200 : 503, { status: ok ? 'ready' : 'unavailable', checks });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The `/healthz` (alive), `/readyz` (dependencies reachable and the role accepting work) and
 * `/metrics` (Prometheus, the process registry: each role's lag is there) listener of a role
 * process that has no HTTP edge of its own (relay, project, saga, notify).
 */
export async function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  collectProcessMetrics();
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method not allowed' });
    const served = (async () => {
      switch (path) {
        case '/healthz':
          return json(res, 200, { status: 'ok' });
        case '/readyz':
          return ready(opts, res);
        case '/metrics': {
          const text = await metrics.metrics();
          res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
          res.end(text);
          return;
        }
        case '/debug/heap':
          if (opts.debugHeap) return json(res, 200, heapAfterGc());
          return json(res, 404, { error: 'not found' });
        default:
          return json(res, 404, { error: 'not found' });
      }
    })();
    served.catch((err: unknown) => {
      opts.logger.warn({ err, path }, 'ops endpoint failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 2_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  opts.logger.info({ host: opts.host, port }, 'ops listener (/healthz, /readyz, /metrics) listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
