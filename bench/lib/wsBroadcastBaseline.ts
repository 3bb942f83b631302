import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { now, sleep, waitUntil } from './clock.ts';
import type { Deliveries, WsFleet } from './wsFleet.ts';

/** Per change key: deliveries, first and last arrival, every arrival time. */
export function byKey(d: Deliveries): Map<number, { count: number; first: number; last: number; times: number[] }> {
  const out = new Map<number, { count: number; first: number; last: number; times: number[] }>();
  d.keys.forEach((k, i) => {
    const t = d.times[i] ?? 0;
    const e = out.get(k) ?? { count: 0, first: t, last: t, times: [] };
    e.count++;
    e.first = Math.min(e.first, t);
    e.last = Math.max(e.last, t);
    e.times.push(t);
    out.set(k, e);
  });
  return out;
}

/** What the bare broadcast measured. */
export interface BroadcastBaseline {
  latencies: number[];
  /** Σ per change of (last arrival − send started), ms. */
  windows: number;
  delivered: number;
  expected: number;
  open: number;
  /** This process's CPU (user + system, µs) over the sends and their arrival, and the fleet's. */
  serverCpuMicros: number;
  fleetCpuMicros: number;
  fleetLoopDelayMaxMs: number;
}

const cpuMicros = () => ((c) => c.user + c.system)(process.cpuUsage());

/**
 * The floor of a fan-out on this box: a bare `ws` server in this process writes one pre-encoded
 * message of `payloadBytes` (a graphql-ws `next` frame shape, so the fleet parses the same JSON) to
 * `subscribers` plain sockets of `fleet`, `changes` times; latency runs from the start of the send
 * loop to each arrival. A change that does not reach every socket within 15 s counts as missing
 * (reported), never as a fast one.
 */
export async function bareBroadcast(fleet: WsFleet, subscribers: number, changes: number, payloadBytes: number, openBatch: number): Promise<BroadcastBaseline> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  try {
    const { port } = wss.address() as AddressInfo;
    const opened = await fleet.open({ mode: 'raw', url: `ws://127.0.0.1:${port}`, count: subscribers, batch: openBatch });
    const frame = (k: number) => {
      const head = JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', type: 'next', payload: { k, pad: '' } });
      return Buffer.from(head.replace('"pad":""', `"pad":"${'x'.repeat(Math.max(0, payloadBytes - head.length))}"`));
    };
    await fleet.collect();
    const out: BroadcastBaseline = { latencies: [], windows: 0, delivered: 0, expected: opened.open * changes, open: opened.open, serverCpuMicros: 0, fleetCpuMicros: 0, fleetLoopDelayMaxMs: 0 };
    for (let k = 1; k <= changes; k++) {
      const msg = frame(k);
      const fleet0 = (await fleet.status()).cpuMicros;
      const cpu0 = cpuMicros();
      const sentAt = now();
      for (const ws of wss.clients) ws.send(msg, { binary: false });
      await waitUntil(async () => (await fleet.status()).deliveries >= opened.open, 15_000, 5);
      out.serverCpuMicros += cpuMicros() - cpu0;
      const status = await fleet.status();
      out.fleetCpuMicros += status.cpuMicros - fleet0;
      out.fleetLoopDelayMaxMs = Math.max(out.fleetLoopDelayMaxMs, status.loopDelayMaxMs);
      const d = byKey(await fleet.collect()).get(k);
      if (d) {
        for (const t of d.times) out.latencies.push(t - sentAt);
        out.windows += d.last - sentAt;
        out.delivered += d.count;
      }
      await sleep(200);
    }
    return out;
  } finally {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  }
}
