import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../../platform/config.ts';
import { tokens } from '../../tests/support/app.ts';
import { childProfileArgs } from './childProfiler.ts';
import { processCpuSeconds } from './cpu.ts';
import { BENCH_SKUS } from './fixtures.ts';
import { benchRoleEnv } from './roleEnv.ts';
import { freePort, spawnRole, type RoleProcess } from './roleProcess.ts';

/** The roles of a production deployment, each started as `orderflow <role>` in a child process of its own. */
export const TOPOLOGY_ROLES = ['relay', 'project', 'saga', 'notify', 'serve'] as const;
export type TopologyRole = (typeof TOPOLOGY_ROLES)[number];

/** A running topology on isolated resources (its own Postgres database, topic prefix and view database). */
export interface Topology {
  config: AppConfig;
  /** serve's GraphQL endpoint (HTTP) and its WebSocket form. */
  url: string;
  wsUrl: string;
  /** Each role's operations listener (`/metrics`); serve's is its HTTP port. */
  metricsUrl(role: TopologyRole): string;
  /** The role's inspector port when `BENCH_PROFILE` is set (for `profileChildWindow`), else undefined. */
  inspectPort(role: TopologyRole): number | undefined;
  /** CPU seconds each role's process has burnt so far. */
  cpuSeconds(): Record<TopologyRole, number | undefined>;
  /** POSTs a GraphQL document to serve. */
  gql<T>(query: string, variables: Record<string, unknown>, token: string): Promise<{ data?: T; errors?: unknown[] }>;
  /** Stops every role (reverse start order) and drops the database, topics, view database and mail. */
  stop(): Promise<void>;
}

/**
 * Starts relay, project, saga, notify and serve as separate processes, as production runs them, on a
 * fresh database / topic prefix / view database ({@link benchRoleEnv}: tag-named, limits out of the
 * way) with the catalogue's bench SKUs defined. notify keeps its mail in a temporary directory (its own
 * ORDERFLOW_STACK_DIR, whose only use there is the mail sink) on a free SMTP port, so bench mail never
 * lands in the shared stack's folder.
 */
export async function startTopology(tag: string, extraEnv: Record<string, string> = {}, roles: readonly TopologyRole[] = TOPOLOGY_ROLES): Promise<Topology> {
  const { env, config, drop } = await benchRoleEnv(tag, extraEnv);
  const mailDir = mkdtempSync(join(tmpdir(), `${tag}-mail-`));
  const procs = new Map<TopologyRole, RoleProcess>();
  const ports = new Map<TopologyRole, number>();
  const inspectPorts = new Map<TopologyRole, number>();
  const stop = async () => {
    for (const role of [...TOPOLOGY_ROLES].reverse()) await procs.get(role)?.stop().catch(() => undefined);
    await drop();
    rmSync(mailDir, { recursive: true, force: true });
  };
  try {
    for (const role of TOPOLOGY_ROLES.filter((r) => roles.includes(r))) {
      const port = await freePort();
      ports.set(role, port);
      const own: Record<string, string> = role === 'serve'
        ? { ORDERFLOW_HTTP_PORT: String(port) }
        : { ORDERFLOW_OPS_PORT: String(port), ...(role === 'notify' && { ORDERFLOW_STACK_DIR: mailDir, ORDERFLOW_SMTP_SINK: 'on', SMTP_PORT: String(await freePort()) }) };
      const ready = async () => (await fetch(`http://127.0.0.1:${port}/${role === 'serve' ? 'healthz' : 'readyz'}`)).ok;
      // With BENCH_PROFILE each role listens for an inspector, so a window of its CPU can be profiled.
      const inspect = process.env.BENCH_PROFILE ? await freePort() : undefined;
      if (inspect !== undefined) inspectPorts.set(role, inspect);
      procs.set(role, await spawnRole(role, { ...env, ...own }, ready, 180_000, inspect === undefined ? [] : childProfileArgs(inspect)));
    }
    const servePort = ports.get('serve') ?? 0;
    const url = `http://127.0.0.1:${servePort}/graphql`;
    const gql = async <T>(query: string, variables: Record<string, unknown>, token: string) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as { data?: T; errors?: unknown[] };
    };
    const define = await gql(
      `mutation { ${BENCH_SKUS.map((sku, i) => `d${i}: defineProduct(input: { sku: "${sku}", name: "${sku}", unitPrice: { amountMinor: ${1000 + i * 250}, currency: "EUR" } }) { id }`).join(' ')} }`,
      {}, tokens.staff,
    );
    if (define.errors) throw new Error(`seeding the catalogue failed: ${JSON.stringify(define.errors)}`);
    return {
      config, url, wsUrl: url.replace(/^http/, 'ws'), gql, stop,
      metricsUrl: (role) => `http://127.0.0.1:${ports.get(role) ?? 0}/metrics`,
      inspectPort: (role) => inspectPorts.get(role),
      cpuSeconds: () => Object.fromEntries(TOPOLOGY_ROLES.map((r) => [r, processCpuSeconds(procs.get(r)?.pid ?? -1)])) as Record<TopologyRole, number | undefined>,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
