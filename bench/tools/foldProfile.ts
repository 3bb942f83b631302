/**
 * The streaming fold alone, in memory (`npx tsx bench/tools/foldProfile.ts [events] [projection]`):
 * builds contract-valid order envelopes like the rebuild bench's store (blocks of 250 orders × 4
 * events), then times project → stamp → fold → flush selection, with no reads and no writes. Run it
 * with `node --cpu-prof --import tsx` to see where a fold's time goes.
 */
import { randomUUID } from 'node:crypto';
import { parseEnvelope, type EventEnvelope } from '../../contracts/index.ts';
import { createStreamingFold, emptyFoldStore } from '../../projector/memory/streamingFold.ts';
import { projections, stampAdds } from '../../projector/projections/index.ts';
import { orderPlacedData } from '../lib/fixtures.ts';

const BLOCK = 250;
const FLUSH_EVERY = 10_000;

function envelopes(events: number): { envelope: EventEnvelope; position: string }[] {
  const out: { envelope: EventEnvelope; position: string }[] = [];
  const t0 = Date.parse('2026-01-01T00:00:00.000Z');
  let gp = 0;
  const push = (orderId: string, v: number, type: string, version: number, data: Record<string, unknown>, at: string) => {
    gp++;
    out.push({
      envelope: parseEnvelope({
        eventId: randomUUID(), type, version, streamId: `order-${orderId}`, streamVersion: v, globalPosition: String(gp), occurredAt: at,
        source: 'bench', correlationId: orderId, causationId: null, traceparent: null, data, metadata: {},
      }),
      position: `1.${String(gp)}`,
    });
  };
  const orders = events / 4;
  for (let b = 0; b < orders; b += BLOCK) {
    const ids = Array.from({ length: Math.min(BLOCK, orders - b) }, () => randomUUID());
    const at = (i: number, ms: number) => new Date(t0 + (b + i) * 1000 + ms).toISOString();
    ids.forEach((id, i) => push(id, 1, 'OrderPlaced', 3, orderPlacedData(id, `cust-${(b + i) % 500}`, at(i, 0)), at(i, 0)));
    ids.forEach((id, i) => push(id, 2, 'OrderStockReserved', 1, { orderId: id }, at(i, 100)));
    ids.forEach((id, i) => push(id, 3, 'OrderPaymentAuthorised', 1, { orderId: id, authorisationId: `auth-${id}` }, at(i, 200)));
    ids.forEach((id, i) => push(id, 4, 'OrderConfirmed', 1, { orderId: id, customerId: `cust-${(b + i) % 500}`, currency: 'EUR', totalMinor: 2500, confirmedAt: at(i, 300) }, at(i, 300)));
  }
  return out;
}

const events = Number(process.argv[2] ?? 200_000);
const name = process.argv[3] ?? 'order_detail';
const projection = projections.find((p) => p.name === name);
if (!projection) throw new Error(`no projection ${name}`);
const log = envelopes(events);
for (let round = 0; round < 3; round++) {
  const fold = createStreamingFold(projection, emptyFoldStore, { window: FLUSH_EVERY });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let seq = 0;
  for (const e of log) {
    seq++;
    if (!projection.handles.includes(e.envelope.type)) continue;
    const reading = fold.apply(stampAdds(projection.project(e.envelope), { shard: 'base', position: e.position }), seq);
    if (reading) await reading;
    if (seq % FLUSH_EVERY === 0) {
      fold.evict(seq);
      await fold.takeFlush(seq);
    }
  }
  await fold.takeFlush(seq, { all: true });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // Per CPU-second too: on a shared box the wall rate says more about the neighbours than the fold.
  console.log(`${name}: ${String(events)} events in ${ms.toFixed(0)} ms: ${((events / ms) * 1000).toFixed(0)} events/s wall, ${((events / cpuMs) * 1000).toFixed(0)} per CPU-second; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
}
