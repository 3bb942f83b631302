import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandHandler } from '../../command-side/handlers/commandHandler.ts';
import { freshEventStore } from '../support/eventStore.ts';
import { freshMongo, mongoConnectionUrl, uniqueId } from '../support/isolation.ts';
import { seedProduct } from '../support/orders.ts';
import { freePortBlock, freeTcpPort, spawnRole, type RoleProcess } from '../support/roleProcess.ts';
import { waitUntil } from '../support/saga.ts';

const CLIENTS = 3;
const BEFORE_KILL_MS = 5_000;
/** Requests after the kill: enough that the few in flight on the killed replica weigh < 1% if nothing else fails. */
const AFTER_KILL_REQUESTS = 400;
const AFTER_KILL_MAX_MS = 150_000;

/** The pid of a supervised process, from the supervisor's "process started" log lines (latest start). */
function pidOf(p: RoleProcess, name: string): number | undefined {
  let pid: number | undefined;
  for (const line of p.kept) {
    if (!line.includes('"msg":"process started"') || !line.includes(`"process":"${name}"`)) continue;
    pid = (JSON.parse(line) as { pid?: number }).pid;
  }
  return pid;
}

describe('orderflow start --topology: SIGKILL of one serve replica of two under load', () => {
  let pool: pg.Pool;
  let handler: CommandHandler;
  let topology: RoleProcess;
  let port: number;
  let mongoName: string;
  let closeMongo: () => Promise<void>;

  beforeAll(async () => {
    ({ pool, handler } = await freshEventStore('topo', 8));
    const mongo = await freshMongo('topo');
    mongoName = mongo.name;
    closeMongo = () => mongo.client.close();
    await seedProduct(handler, 'TOPO', 700, 1_000_000);
    port = await freeTcpPort();
    const servePortBase = await freePortBlock(20); // serve-N on base + N, ops ports on base + 10 + N
    topology = spawnRole({
      args: ['start', '--topology', '--no-stack', '--shape', 'serve=2,relay=1,project=1,saga=0,notify=0', '--serve-port-base', String(servePortBase), '--ops-port-base', String(servePortBase + 10)],
      databaseUrl: (pool.options as { connectionString: string }).connectionString,
      topicPrefix: `${uniqueId('topo')}.`,
      keep: /"component":"supervisor"/,
      env: { ORDERFLOW_HTTP_PORT: String(port), MONGO_URL: mongoConnectionUrl, MONGO_DB: mongoName, ORDERFLOW_AUTH_MODE: 'dev', ORDERFLOW_RATE_LIMIT_PER_MINUTE: '100000', ORDERFLOW_STACK_DIR: process.env.ORDERFLOW_STACK_DIR ?? '.stack' },
    });
    // Ready once both replicas answer through the proxy.
    await waitUntil('both serve replicas up', async () => {
      const up = await Promise.all([1, 2].map((i) => fetch(`http://127.0.0.1:${servePortBase + i}/readyz`).then((r) => r.status === 200, () => false)));
      if (topology.exited()) throw new Error(`topology exited:\n${topology.tail(20).join('\n')}`);
      return up.every(Boolean);
    }, 240_000, 250).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${topology.kept.join('\n')}\n${topology.tail(10).join('\n')}`);
    });
  }, 300_000);
  afterAll(async () => {
    const r = await topology?.stop();
    console.log(`topology stopped: ${JSON.stringify(r)}`);
    await closeMongo?.();
    await pool?.end();
  });

  it('no acknowledged order is lost and under 1% of requests fail while the other replica answers', async () => {
    const acknowledged: string[] = [];
    const failures: string[] = [];
    let sent = 0;
    let running = true;
    const client = async (c: number) => {
      while (running) {
        const key = randomUUID();
        sent++;
        try {
          const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer dev:k${c}:customer` },
            body: JSON.stringify({
              query: 'mutation($i: PlaceOrderInput!, $k: String) { placeOrder(input: $i, idempotencyKey: $k) { id } }',
              variables: { k: key, i: { customerId: `k${c}`, lines: [{ sku: 'TOPO', quantity: 1 }], paymentToken: 'tok_visa', shippingAddress: { line1: '1 Main St', city: 'Lyon', postalCode: '69001', country: 'FR' } } },
            }),
            signal: AbortSignal.timeout(10_000),
          });
          const body = (await res.json()) as { data?: { placeOrder?: { id: string } }; errors?: { message: string }[] };
          if (body.data?.placeOrder) acknowledged.push(body.data.placeOrder.id);
          else failures.push(`${res.status} ${JSON.stringify(body.errors)}`);
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    await new Promise((r) => setTimeout(r, BEFORE_KILL_MS));
    const victim = pidOf(topology, 'serve-1');
    expect(victim).toBeGreaterThan(0);
    const sentAtKill = sent;
    process.kill(victim as number, 'SIGKILL');
    const deadline = Date.now() + AFTER_KILL_MAX_MS;
    while (sent - sentAtKill < AFTER_KILL_REQUESTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    running = false;
    await Promise.all(clients);

    const { rows } = await pool.query<{ stream_id: string }>("select stream_id from events where type = 'OrderPlaced'");
    const stored = new Set(rows.map((r) => r.stream_id.replace(/^order-/, '')));
    const lost = acknowledged.filter((id) => !stored.has(id.replace(/^order-/, '')));
    const restarted = pidOf(topology, 'serve-1');
    console.log(`serve kill: ${sent} requests (${sentAtKill} before the kill), ${acknowledged.length} acknowledged, ${failures.length} failed (${((100 * failures.length) / sent).toFixed(2)}%), ${lost.length} lost; serve-1 restarted as pid ${restarted}; failures: ${failures.slice(0, 3).join(' | ')}`);
    expect(lost).toEqual([]);
    expect(sent - sentAtKill).toBeGreaterThanOrEqual(AFTER_KILL_REQUESTS);
    expect(failures.length / sent).toBeLessThan(0.01);
    expect(restarted).not.toBe(victim);
  }, 240_000);
});
