import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { ratio, round, roundSummary, summarize, type Summary } from '../stats.ts';
import { benchRoleEnv } from '../lib/roleEnv.ts';
import { freePort, spawnRole, type RoleProcess } from '../lib/roleProcess.ts';
import type { Figure, Scenario } from '../lib/types.ts';

/** The limits serve runs with (the defaults, written out so the attacks below are sized against them). */
const LIMITS = { ORDERFLOW_MAX_QUERY_DEPTH: '10', ORDERFLOW_MAX_ALIASES: '20', ORDERFLOW_MAX_DIRECTIVES: '50', ORDERFLOW_MAX_TOKENS: '5000', ORDERFLOW_MAX_BODY_BYTES: '1048576', ORDERFLOW_WS_MAX_SOCKETS_PER_IP: '100' };
const SOCKETS = 2000;
const SOCKET_CAP = Number(LIMITS.ORDERFLOW_WS_MAX_SOCKETS_PER_IP);
const IN_FLIGHT = 8;
const NORMAL = JSON.stringify({ query: '{ health { status } }' });

/** One kind of abusive request: its body, and what a refusal of it looks like. */
interface Attack {
  name: string;
  body: string;
  /** The `extensions.code` (or HTTP status, for bodies refused before GraphQL) a refusal carries. */
  refusal: string;
}

function attacks(): Attack[] {
  const query = (q: string) => JSON.stringify({ query: q });
  return [
    { name: 'alias flood (500 aliases)', body: query(`{ ${Array.from({ length: 500 }, (_, i) => `a${i}: health { status }`).join(' ')} }`), refusal: 'QUERY_TOO_COMPLEX' },
    { name: 'deep nesting (depth 200)', body: query(`{ health ${'{ status '.repeat(200)}${'}'.repeat(200)} }`), refusal: 'QUERY_TOO_COMPLEX' },
    { name: 'token flood (50,000 tokens)', body: query(`{ health { ${'status '.repeat(50_000)}} }`), refusal: 'QUERY_TOO_COMPLEX' },
    { name: 'directive flood (1,000 directives)', body: query(`{ health { ${'status @skip(if: false) '.repeat(1000)}} }`), refusal: 'QUERY_TOO_COMPLEX' },
    { name: 'oversized body (2 MB)', body: JSON.stringify({ query: '{ health { status } }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } }), refusal: 'PAYLOAD_TOO_LARGE' },
  ];
}

interface Sent {
  latencies: number[];
  /** How each answer ended: an `extensions.code`, `HTTP <status>`, `data` (served) or `dropped` (connection closed). */
  outcomes: Map<string, number>;
}

/** What one answer was: the first error's code, the bare status when there is no GraphQL body, or `data`. */
function outcomeOf(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    const code = body.errors?.[0]?.extensions?.code;
    if (code !== undefined) return code;
    if (body.data != null && status === 200) return 'data';
  } catch {
    // not JSON: fall through to the status
  }
  return `HTTP ${status}`;
}

/** POSTs `body` `count` times, `IN_FLIGHT` at a time, timing each from send to the last byte of the answer. */
async function send(url: string, body: string, count: number): Promise<Sent> {
  const latencies: number[] = [];
  const outcomes = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next++ < count) {
      const t0 = performance.now();
      let outcome: string;
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        outcome = outcomeOf(res.status, await res.text());
      } catch {
        outcome = 'dropped';
      }
      latencies.push(performance.now() - t0);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { latencies, outcomes };
}

interface SocketFlood {
  admitted: number;
  refused: number;
  other: number;
  openLatencies: number[];
  refusalLatencies: number[];
  sockets: WebSocket[];
}

/** Opens `SOCKETS` graphql-ws sockets from loopback (100 dialling at a time) and keeps the admitted ones open. */
async function socketFlood(wsUrl: string): Promise<SocketFlood> {
  const r: SocketFlood = { admitted: 0, refused: 0, other: 0, openLatencies: [], refusalLatencies: [], sockets: [] };
  let next = 0;
  const dial = (i: number) =>
    new Promise<void>((done) => {
      const t0 = performance.now();
      const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        outcome();
        done();
      };
      ws.once('open', () => settle(() => {
        r.admitted++;
        r.openLatencies.push(performance.now() - t0);
        r.sockets.push(ws);
        // A distinct subject per socket: only the per-IP cap is under test (and an un-initialised socket is closed after 5 s).
        ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer dev:abuse-${i}:customer` } }));
      }));
      ws.once('unexpected-response', (_req, res) => settle(() => {
        if (res.statusCode === 429) {
          r.refused++;
          r.refusalLatencies.push(performance.now() - t0);
        } else r.other++;
        res.resume();
        ws.terminate();
      }));
      // After a refusal, terminate() emits an error too: settle() counts each socket once.
      ws.on('error', () => settle(() => r.other++));
    });
  await Promise.all(Array.from({ length: 100 }, async () => {
    for (let i = next++; i < SOCKETS; i = next++) await dial(i);
  }));
  return r;
}

const count = (s: Sent, outcome: string) => s.outcomes.get(outcome) ?? 0;
const latencyOf = (samples: number[]): Summary | undefined => {
  const s = summarize(samples);
  return s && roundSummary(s);
};

/**
 * Scenario: abuse is refused, and fast. `orderflow serve` runs alone in a child process with the
 * default limits; this process sends each attack (alias flood, deep nesting, token flood, directive flood,
 * oversized body) as many times as a normal small query (`{ health { status } }`, the same-run baseline),
 * 8 in flight, then opens 2,000 WebSockets from one IP against a cap of 100. Each figure is the refusal
 * latency p50 next to the normal query's p50 (p99 in its latency summary), with refused/sent in its notes.
 */
export const abuseScenario: Scenario = async ({ quick, log }) => {
  const notes: string[] = [];
  const figures: Figure[] = [];
  // benchRoleEnv raises the rate limits out of the way: each attack must be refused by its own guard.
  const { env, drop } = await benchRoleEnv('bench_abuse', LIMITS);
  const port = await freePort();
  let serve: RoleProcess | undefined;
  let flood: SocketFlood | undefined;
  try {
    serve = await spawnRole('serve', { ...env, ORDERFLOW_HTTP_PORT: String(port) }, async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 180_000);
    const url = `http://127.0.0.1:${port}/graphql`;
    const n = quick ? 100 : 1000;
    await send(url, NORMAL, 20); // warm-up: JIT and the first connections
    const normal = await send(url, NORMAL, n);
    if (count(normal, 'data') !== n) throw new Error(`the normal query failed: ${JSON.stringify(Object.fromEntries(normal.outcomes))}`);
    const baselineLatency = latencyOf(normal.latencies);
    log(`  normal query p50 ${baselineLatency?.p50} ms p99 ${baselineLatency?.p99} ms over ${n}`);
    for (const attack of attacks()) {
      const sent = await send(url, attack.body, n);
      const refused = count(sent, attack.refusal);
      const latency = latencyOf(sent.latencies);
      const served = count(sent, 'data');
      const serverErrors = [...sent.outcomes.keys()].filter((o) => /^HTTP 5/.test(o) || o === 'INTERNAL_SERVER_ERROR').reduce((s, o) => s + count(sent, o), 0);
      const allRefused = refused === n;
      log(`  ${attack.name}: ${refused}/${n} refused (${attack.refusal}), p50 ${latency?.p50} ms p99 ${latency?.p99} ms; outcomes ${JSON.stringify(Object.fromEntries(sent.outcomes))}`);
      const r = ratio(latency?.p50, baselineLatency?.p50);
      figures.push({
        name: `${attack.name}: refusal p50`, value: latency?.p50 ?? Number.NaN, unit: 'ms',
        baseline: { what: 'normal { health { status } } p50, same run', value: baselineLatency?.p50 ?? Number.NaN, unit: 'ms' },
        ...(r !== undefined && { ratio: round(r) }),
        target: { text: 'every one refused, none served, no 5xx', met: allRefused, ...(!allRefused && { reason: `outcomes ${JSON.stringify(Object.fromEntries(sent.outcomes))}` }) },
        ...(latency && { latency }),
        ...(baselineLatency && { baselineLatency }),
        notes: [`${refused} of ${n} refused with ${attack.refusal}; ${served} served; ${serverErrors} server errors; request body ${round(attack.body.length / 1024)} KiB`],
      });
    }

    log(`  ${SOCKETS} WebSockets from one IP (cap ${SOCKET_CAP})`);
    flood = await socketFlood(`ws://127.0.0.1:${port}/graphql`);
    const open = latencyOf(flood.openLatencies);
    const refusal = latencyOf(flood.refusalLatencies);
    const expected = SOCKETS - SOCKET_CAP;
    // The admitted ones must still be up (acknowledged, not closed for their subject): else they freed slots mid-flood.
    const stillOpen = flood.sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
    const held = flood.admitted === SOCKET_CAP && flood.refused === expected && stillOpen === SOCKET_CAP;
    log(`  sockets: ${flood.admitted} admitted, ${flood.refused} refused (429), ${flood.other} other; refusal p50 ${refusal?.p50} ms, admitted open p50 ${open?.p50} ms`);
    const rs = ratio(refusal?.p50, open?.p50);
    figures.push({
      name: `${SOCKETS} WebSockets from one IP: refusal p50`, value: refusal?.p50 ?? Number.NaN, unit: 'ms',
      baseline: { what: 'an admitted socket’s open (upgrade to 101) p50, same flood', value: open?.p50 ?? Number.NaN, unit: 'ms' },
      ...(rs !== undefined && { ratio: round(rs) }),
      target: { text: `exactly ${SOCKET_CAP} admitted, the other ${expected} refused with 429`, met: held, ...(!held && { reason: `${flood.admitted} admitted (${stillOpen} still open), ${flood.refused} refused, ${flood.other} other` }) },
      ...(refusal && { latency: refusal }),
      ...(open && { baselineLatency: open }),
      notes: [`${flood.refused} of ${SOCKETS} refused (HTTP 429 before any WebSocket work), ${flood.admitted} admitted (${stillOpen} still open at the end), ${flood.other} other outcomes; 100 dialling at a time`],
    });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    if (!health.ok) throw new Error(`serve is unhealthy after the abuse: ${health.status}`);

    notes.push(`serve runs alone in a child process with the default limits (${Object.entries(LIMITS).map(([k, v]) => `${k}=${v}`).join(', ')}), rate limits raised out of the way; each attack and the normal query are sent ${n} times, ${IN_FLIGHT} in flight, on keep-alive connections; latency is send to last byte`);
    notes.push('a refusal counts only with its own code (QUERY_TOO_COMPLEX from the armor/token/cost rules, PAYLOAD_TOO_LARGE, status 413, from the body limit): anything else (a validation error, a dropped connection) leaves the target missed and shows in the outcomes');
    return { id: 'abuse', title: 'Abuse: floods, nesting, oversized bodies and 2,000 sockets from one IP are refused, and how fast', figures, notes };
  } finally {
    for (const ws of flood?.sockets ?? []) ws.terminate();
    await serve?.stop().catch(() => undefined);
    await drop();
  }
};
