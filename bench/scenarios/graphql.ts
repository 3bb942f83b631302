import { execute, parse } from 'graphql';
import { tokens } from '../../tests/support/app.ts';
import { resolvers } from '../../query-side/resolvers/index.ts';
import { buildSchema } from '../../query-side/schema.ts';
import { createAppServices } from '../../query-side/services.ts';
import { ratePerSecond, ratio, round, roundSummary, summarize } from '../stats.ts';
import { autocannon, type HttpLoadResult } from '../lib/autocannon.ts';
import { inProcessContext, ORDER_BY_ID, PLACE_ORDER, quietLogger, startBenchApp } from '../lib/app.ts';
import { placeOrderInput } from '../lib/fixtures.ts';
import { closedLoop } from '../lib/load.ts';
import { waitUntil } from '../lib/clock.ts';
import { liveGeneration, physicalName } from '../../projector/mongo/generations.ts';
import { orderDetailProjection } from '../../projector/projections/order_detail.ts';
import type { Figure, Scenario } from '../lib/types.ts';

const CONNECTIONS = 32;
const CUSTOMER = 'bench-gql';

function httpNotes(what: string, r: HttpLoadResult): string {
  return `${what}: ${r.ok2xx} 2xx, ${r.non2xx} non-2xx, ${r.errors} socket errors, ${r.timeouts} timeouts in ${r.durationSeconds} s; status codes ${JSON.stringify(r.statusCodes)}`;
}

/**
 * Scenario 3: GraphQL over HTTP with autocannon (a separate process, 32 keep-alive connections):
 * placeOrder mutations/s and p99, and a by-id `order(id)` query req/s and p99, the latter against a
 * bare graphql-js `execute` of the same parsed query in this process, same schema, same services
 * (Mongo view reader, DataLoaders), 32 in flight.
 */
export const graphqlScenario: Scenario = async ({ quick, log }) => {
  const app = await startBenchApp('bench_gql');
  const notes: string[] = [];
  const figures: Figure[] = [];
  const durationSeconds = quick ? 3 : 10;
  const warmupSeconds = quick ? 1 : 2;
  try {
    const auth = { authorization: `Bearer ${tokens.customer(CUSTOMER)}` };
    const countPlaced = async () => Number((await app.pool.query<{ n: string }>(`select count(*) as n from events where type = 'OrderPlaced'`)).rows[0]?.n);

    // Mutations.
    const before = await countPlaced();
    const mutation = await autocannon({ url: app.url, body: JSON.stringify({ query: PLACE_ORDER, variables: { input: placeOrderInput(CUSTOMER, 0) } }), headers: auth, connections: CONNECTIONS, durationSeconds, warmupSeconds });
    const appended = (await countPlaced()) - before;
    log(`  mutations: ${mutation.rate.toFixed(0)}/s p99 ${mutation.latency.p99} ms; OrderPlaced appended ${appended}`);
    notes.push(httpNotes('placeOrder', mutation));
    notes.push(`OrderPlaced events appended during the mutation run (warm-up included): ${appended}; autocannon counted ${mutation.ok2xx} 2xx in the measured window — a 2xx with GraphQL errors would show as a shortfall`);
    figures.push({
      name: `placeOrder mutation @${CONNECTIONS} conns`,
      value: round(mutation.rate),
      unit: 'req/s',
      latency: mutation.latency,
      notes: ['no raw baseline: compare with scenario 1 (same command through the handler without HTTP)'],
    });
    figures.push({ name: `placeOrder mutation p99 @${CONNECTIONS} conns`, value: mutation.latency.p99, unit: 'ms', latency: mutation.latency });

    // Let the projectors finish the mutations' backlog first, so the query run measures reads, not a
    // FerretDB still busy applying ~N orders × 5 projections.
    const c0 = Date.now();
    const alias = await liveGeneration(app.mongo.db(app.config.mongo.db), orderDetailProjection);
    const detail = app.mongo.db(app.config.mongo.db).collection(physicalName('order_detail', alias.generation));
    const placedTotal = await countPlaced();
    const caughtUp = await waitUntil(async () => (await detail.countDocuments({})) >= placedTotal, quick ? 30_000 : 90_000, 250);
    notes.push(`order_detail caught up with the ${placedTotal} placed orders ${caughtUp ? `${((Date.now() - c0) / 1000).toFixed(1)} s after the mutation run` : `NOT within ${quick ? 30 : 90} s (the query run overlaps projector work)`}`);
    log(`  projector catch-up: ${caughtUp ? `${((Date.now() - c0) / 1000).toFixed(1)} s` : 'timed out'}`);

    // By-id query: one order, read back through its consistency token so the view has it.
    const placed = await app.gql<{ placeOrder: { id: string; consistencyToken: string } }>(PLACE_ORDER, { input: placeOrderInput(CUSTOMER, 1) }, tokens.customer(CUSTOMER));
    const order = placed.data?.placeOrder;
    if (!order) throw new Error(`placing the probe order failed: ${JSON.stringify(placed.errors)}`);
    const probe = await app.gql(`query($id: ID!, $t: String) { order(id: $id, consistentWith: $t) { id } }`, { id: order.id, t: order.consistencyToken }, tokens.customer(CUSTOMER));
    if (probe.errors || !probe.data) throw new Error(`reading the probe order failed: ${JSON.stringify(probe.errors)}`);
    const checkOnce = await app.gql<{ order: { id: string } | null }>(ORDER_BY_ID, { id: order.id }, tokens.customer(CUSTOMER));
    if (checkOnce.errors || checkOnce.data?.order?.id !== order.id) throw new Error(`by-id query does not return the order: ${JSON.stringify(checkOnce)}`);

    const query = await autocannon({ url: app.url, body: JSON.stringify({ query: ORDER_BY_ID, variables: { id: order.id } }), headers: auth, connections: CONNECTIONS, durationSeconds, warmupSeconds });
    log(`  by-id query over HTTP: ${query.rate.toFixed(0)}/s p99 ${query.latency.p99} ms`);
    notes.push(httpNotes('order(id)', query));

    // Bare graphql-js execute of the same document, same schema and services, in this process.
    const { services, stop } = await createAppServices(app.config, quietLogger);
    try {
      const schema = buildSchema(resolvers);
      const document = parse(ORDER_BY_ID);
      const context = inProcessContext(services);
      const principal = { subject: CUSTOMER, roles: ['customer' as const], customerId: CUSTOMER };
      let gqlErrors = 0;
      let firstError = '';
      const bare = await closedLoop({
        concurrency: CONNECTIONS,
        durationMs: durationSeconds * 1000,
        warmupMs: warmupSeconds * 1000,
        op: async () => {
          const r = await execute({ schema, document, contextValue: context(principal), variableValues: { id: order.id } });
          if (r.errors) {
            gqlErrors++;
            firstError ||= r.errors[0]?.message ?? '';
          }
        },
      });
      const bareRate = ratePerSecond(bare.ok - gqlErrors, bare.elapsedMs);
      const bareLat = summarize(bare.latencies);
      log(`  bare execute: ${bareRate.toFixed(0)}/s p99 ${bareLat?.p99.toFixed(2)} ms (${gqlErrors} GraphQL errors)`);
      notes.push(`bare execute: ${CONNECTIONS} in flight, document parsed once (no parse/validate per call), fresh context + DataLoaders per call as the server builds them; ${bare.ok} ok, ${gqlErrors} with GraphQL errors${firstError ? ` (first: ${firstError})` : ''}`);
      const r = ratio(query.rate, bareRate);
      const met = r !== undefined && r >= 0.5;
      figures.push({
        name: `order(id) query @${CONNECTIONS} conns`,
        value: round(query.rate),
        unit: 'req/s',
        baseline: { what: 'bare graphql-js execute in-process', value: round(bareRate), unit: 'exec/s' },
        ...(r !== undefined && { ratio: round(r) }),
        target: { text: '≥ 50% of bare execute', met, ...(!met && { reason: `both sides read order_detail through viewReader.byIds ({_id: {$in: ids}}), which FerretDB 1.24 answers with a collection scan (bare execute p50 ${round(bareLat?.p50 ?? Number.NaN)} ms); HTTP adds Apollo, parse/validate and the socket on top` }) },
        latency: query.latency,
        ...(bareLat && { baselineLatency: roundSummary(bareLat) }),
        ...(bareLat && bareLat.p50 > 100 && { notes: [`the bare execute itself takes p50 ${round(bareLat.p50)} ms: both sides wait on the same slow view read, so the ratio says little; the absolute rate is the problem`] }),
      });
      figures.push({
        name: `order(id) query p99 @${CONNECTIONS} conns`,
        value: query.latency.p99,
        unit: 'ms',
        ...(bareLat && { baseline: { what: 'bare execute p99', value: round(bareLat.p99), unit: 'ms' }, ratio: round(query.latency.p99 / Math.max(bareLat.p99, 0.001)) }),
      });
    } finally {
      await stop();
    }
    notes.push(`autocannon runs in its own process (${CONNECTIONS} connections, ${warmupSeconds} s warm-up + ${durationSeconds} s); it shares the 2 cores with the server, Postgres, Kafka and FerretDB; its latencies have 1 ms resolution`);
    notes.push('the app runs relay + projectors + API in this one process (tests/support/app.ts), so mutations also pay for their own projection work in the same event loop');
    return { id: 'graphql', title: '3. GraphQL over HTTP vs bare graphql-js execute', figures, notes };
  } finally {
    await app.stop();
  }
};
