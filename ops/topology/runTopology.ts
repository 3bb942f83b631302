import { fenceGroupMembers } from '../../messaging/index.ts';
import type { AppConfig, Logger } from '../../platform/index.ts';
import { startOpsServer } from '../opsServer.ts';
import { planTopology, type TopologyShape } from './plan.ts';
import { startProxy } from './proxy.ts';
import { buildRoleBundle } from './roleBundle.ts';
import { createSupervisor } from './supervisor.ts';

/** Options of {@link runTopology}. */
export interface TopologyOptions {
  config: AppConfig;
  logger: Logger;
  shape: TopologyShape;
  /** serve-N listens on base + N. @default config.http.port + 100 */
  servePortBase?: number;
  /** The N-th worker's ops listener on base + N. @default 9460 */
  opsPortBase?: number;
  /** @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[];
}

/**
 * `orderflow start --topology`: every role as its own supervised OS process (restarted with backoff
 * when it dies, its consumer group members fenced first), each running one {@link buildRoleBundle}
 * of the current sources, the serve replicas behind a round-robin proxy on the configured HTTP port.
 * Runs until a signal, then stops the processes (edge first, each draining) and the proxy. Resolves
 * 0 when every process exited 0. With ORDERFLOW_OPS_PORT set, the supervisor itself answers `/healthz`,
 * `/readyz` (every process running), `/metrics` (restarts, proxied connections) and, with
 * ORDERFLOW_DEBUG_HEAP, `/debug/heap` there: it holds two sockets per client connection, so its
 * memory is watched like any role's (`npm run soak`). Its children get their own ports from the plan.
 */
export async function runTopology(opts: TopologyOptions): Promise<number> {
  const { config, logger } = opts;
  const specs = planTopology({ shape: opts.shape, servePortBase: opts.servePortBase ?? config.http.port + 100, opsPortBase: opts.opsPortBase ?? 9460 });
  const building = Date.now();
  const bundle = await buildRoleBundle();
  logger.info({ file: bundle.file, ms: Date.now() - building }, 'role bundle built');
  try {
    const supervisor = createSupervisor({
      specs, logger, stopTimeoutMs: config.shutdownTimeoutMs + 5_000, entry: bundle.file,
      fenceMembers: (members) => fenceGroupMembers({ brokers: config.kafka.brokers, members }),
    });
    const backends = specs.filter((s) => s.role === 'serve').map((s) => ({ host: config.http.host, port: Number(s.env['ORDERFLOW_HTTP_PORT']) }));
    const proxy = backends.length > 0 ? await startProxy({ host: config.http.host, port: config.http.port, backends, logger }) : undefined;
    const ops = config.ops.port === 0 ? undefined : await startOpsServer({
      host: config.ops.host, port: config.ops.port, logger, debugHeap: config.ops.debugHeap, accepting: () => true,
      readiness: () => Promise.resolve({ processes: supervisor.processes().every((p) => p.pid !== undefined) }),
    });
    supervisor.start();
    logger.info({ processes: specs.map((s) => `${s.name}:${s.opsPort}`), proxy: proxy ? `${config.http.host}:${proxy.port}` : null }, 'topology started');
    const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      for (const s of signals) process.once(s, () => resolve(s));
    });
    logger.info({ signal }, 'topology stopping');
    const clean = await supervisor.stop();
    await proxy?.close();
    await ops?.close();
    return clean ? 0 : 1;
  } finally {
    bundle.remove();
  }
}
