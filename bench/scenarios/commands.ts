import { randomUUID } from 'node:crypto';
import { createEventStore, type GroupCommitOptions } from '../../command-side/eventStore/eventStore.ts';
import { loadConfig } from '../../platform/config.ts';
import { catalogueCommands } from '../../command-side/handlers/catalogue.ts';
import { createCommandHandler } from '../../command-side/handlers/commandHandler.ts';
import { orderCommands } from '../../command-side/handlers/orders.ts';
import { createPostgresPaymentVault } from '../../command-side/payments/paymentVault.ts';
import { ratePerSecond, ratio, round, roundSummary, summarize } from '../stats.ts';
import { createRawEventsTable, multiRowInsertSql, scratchDb } from '../lib/db.ts';
import { BENCH_SKUS, orderPlacedRawRow, placeOrderInput, restockNewEvent } from '../lib/fixtures.ts';
import { closedLoop, type ClosedLoopResult } from '../lib/load.ts';
import { profileWindow } from '../lib/profiler.ts';
import type { Figure, Scenario } from '../lib/types.ts';

const POOL_SIZE = 32;

/**
 * The store settings the bench compares: the product's default (ORDERFLOW_GROUP_COMMIT_*, as serve
 * runs it) first, then the other choice (group commit off when the default is on; else on with 32
 * commands and no window).
 */
function benchStoreSettings(): { primary: GroupCommitOptions; other: GroupCommitOptions; defaultOn: boolean } {
  const primary = loadConfig().groupCommit;
  const defaultOn = primary.maxCommands > 1;
  return { primary, other: defaultOn ? { maxCommands: 1, windowMicros: 0 } : { maxCommands: 32, windowMicros: primary.windowMicros }, defaultOn };
}

const groupCommitLabel = (g: GroupCommitOptions) => (g.maxCommands > 1 ? `group commit on (${g.maxCommands} commands, window ${g.windowMicros} µs)` : 'group commit off');

/** A closed loop, with this process's CPU time (user + system) per operation, warm-up included. */
async function measuredLoop(concurrency: number, durationMs: number, warmupMs: number, op: (w: number, n: number) => Promise<unknown>): Promise<ClosedLoopResult & { cpuMicrosPerOp: number }> {
  let calls = 0;
  const before = process.cpuUsage();
  const r = await closedLoop({ concurrency, durationMs, warmupMs, op: (w, n) => { calls++; return op(w, n); } });
  const used = process.cpuUsage(before);
  return { ...r, cpuMicrosPerOp: (used.user + used.system) / Math.max(1, calls) };
}

function describeRun(r: ClosedLoopResult): string {
  return `${r.ok} ok, ${r.errors} errors${r.firstError ? ` (first: ${r.firstError})` : ''} in ${Math.round(r.elapsedMs)} ms`;
}

/**
 * Scenario 1: durable `placeOrder` through the command handler (no HTTP) at 1, 8 and 32 concurrent
 * writers, against raw single-row INSERTs of an OrderPlaced-sized row into a table shaped like
 * `events` (same indexes), on the same pool (32 connections), same server, synchronous_commit on.
 */
export const commandsScenario: Scenario = async ({ quick, log }) => {
  const db = await scratchDb('cmd');
  const notes: string[] = [];
  const figures: Figure[] = [];
  try {
    const pool = db.pool(POOL_SIZE);
    const settings = await pool.query<{ synchronous_commit: string }>('show synchronous_commit');
    const syncCommit = settings.rows[0]?.synchronous_commit ?? '?';
    notes.push(`pool of ${POOL_SIZE} connections for both sides; session synchronous_commit=${syncCommit}; every command and every raw INSERT is its own committed (fsynced) transaction`);
    const storeSettings = benchStoreSettings();
    const handler = createCommandHandler({ store: createEventStore(pool, { groupCommit: storeSettings.primary }) });
    const catalogue = catalogueCommands(handler);
    for (const [i, sku] of BENCH_SKUS.entries()) {
      await catalogue.defineProduct({ sku, name: sku, unitPrice: { amountMinor: 1000 + i * 250, currency: 'EUR' } }, { correlationId: randomUUID() });
    }
    await createRawEventsTable(pool);
    const orders = orderCommands(handler, createPostgresPaymentVault(pool));
    const { defaultOn } = storeSettings;
    const grouped = orderCommands(createCommandHandler({ store: createEventStore(pool, { groupCommit: storeSettings.other }) }), createPostgresPaymentVault(pool));
    const otherName = defaultOn ? 'group commit off' : 'group commit on';
    notes.push(`placeOrder figures use the default settings, ${groupCommitLabel(storeSettings.primary)} (command-side/eventStore/groupCommit.ts); "${otherName}" is a second handler with ${groupCommitLabel(storeSettings.other)}, measured right after at each concurrency`);
    const insertOne = multiRowInsertSql('raw_events', 1);
    const durationMs = quick ? 1500 : 6000;
    const warmupMs = quick ? 300 : 1000;
    notes.push(`closed loop per point: ${warmupMs} ms warm-up, then ${durationMs} ms measured; raw runs first at each concurrency`);
    notes.push('placeOrder per code (orders.ts + commandHandler.handle + appendToStreamAtomic): prices from the per-process cache, then 1 autocommit statement (stream head and catalogue version checks on the events key, INSERT, sandbox vault entry); the relay NOTIFY follows the commit, coalesced, off the command path; the raw side is 1 autocommit INSERT');
    for (const concurrency of [1, 8, 32]) {
      const raw = await measuredLoop(concurrency, durationMs, warmupMs, () => pool.query(insertOne, orderPlacedRawRow()));
      const cmd = await profileWindow(`commands-placeOrder-${concurrency}`, () => measuredLoop(concurrency, durationMs, warmupMs,
        (w, n) => orders.placeOrder(placeOrderInput(`cust-${w}`, n), { correlationId: randomUUID() })));
      log(`  @${concurrency}: placeOrder ${describeRun(cmd)}, ${cmd.cpuMicrosPerOp.toFixed(0)} µs CPU/cmd; raw INSERT ${describeRun(raw)}, ${raw.cpuMicrosPerOp.toFixed(0)} µs CPU/row`);
      if (cmd.errors > 0) notes.push(`@${concurrency} writers: ${cmd.errors} placeOrder errors (first: ${cmd.firstError})`);
      if (raw.errors > 0) notes.push(`@${concurrency} writers: ${raw.errors} raw INSERT errors (first: ${raw.firstError})`);
      const rate = ratePerSecond(cmd.ok, cmd.elapsedMs);
      const rawRate = ratePerSecond(raw.ok, raw.elapsedMs);
      const lat = summarize(cmd.latencies);
      const rawLat = summarize(raw.latencies);
      const r = ratio(rate, rawRate);
      const fig: Figure = {
        name: `placeOrder @${concurrency} writer${concurrency > 1 ? 's' : ''}${defaultOn ? ' (default: group commit on)' : ''}`,
        value: round(rate),
        unit: 'cmd/s',
        baseline: { what: 'raw single-row INSERT', value: round(rawRate), unit: 'rows/s' },
        ...(r !== undefined && { ratio: round(r) }),
        ...(lat && { latency: roundSummary(lat) }),
        ...(rawLat && { baselineLatency: roundSummary(rawLat) }),
        notes: [`bench-process CPU ${cmd.cpuMicrosPerOp.toFixed(0)} µs per placeOrder (zod, decide, envelope, pg driver, load loop), raw INSERT ${raw.cpuMicrosPerOp.toFixed(0)} µs per row`],
      };
      figures.push({
        name: `CPU per placeOrder @${concurrency}`,
        value: round(cmd.cpuMicrosPerOp),
        unit: 'µs',
        baseline: { what: 'CPU per raw INSERT (pg driver + loop)', value: round(raw.cpuMicrosPerOp), unit: 'µs' },
        ratio: round(cmd.cpuMicrosPerOp / raw.cpuMicrosPerOp),
      });
      if (concurrency === 32) {
        const met = r !== undefined && r >= 0.5;
        fig.target = { text: `≥ 50% of raw INSERT rate${defaultOn ? ' (stretch with group commit on: ≥ 1.0)' : ''}`, met, ...(!met && { reason: 'see profile / notes' }) };
        if (defaultOn) fig.notes?.push(`stretch ≥ 1.0 of raw: ${r !== undefined && r >= 1 ? 'met' : 'not met'}`);
      }
      figures.push(fig);
      const gc = await profileWindow(`commands-placeOrder-group-${concurrency}`, () => measuredLoop(concurrency, durationMs, warmupMs,
        (w, n) => grouped.placeOrder(placeOrderInput(`gcust-${w}`, n), { correlationId: randomUUID() })));
      log(`  @${concurrency}: placeOrder with ${otherName} ${describeRun(gc)}, ${gc.cpuMicrosPerOp.toFixed(0)} µs CPU/cmd`);
      if (gc.errors > 0) notes.push(`@${concurrency} writers: ${gc.errors} placeOrder errors with ${otherName} (first: ${gc.firstError})`);
      const gcRate = ratePerSecond(gc.ok, gc.elapsedMs);
      const gcLat = summarize(gc.latencies);
      const gcRatio = ratio(gcRate, rawRate);
      // Which measurement had group commit on, and which off (the default is either).
      const [onLat, offLat, onFig] = defaultOn ? [lat, gcLat, fig] : [gcLat, lat, undefined];
      const gcFig: Figure = {
        name: `placeOrder @${concurrency} writer${concurrency > 1 ? 's' : ''}, ${otherName}`,
        value: round(gcRate),
        unit: 'cmd/s',
        baseline: { what: 'raw single-row INSERT', value: round(rawRate), unit: 'rows/s' },
        ...(gcRatio !== undefined && { ratio: round(gcRatio) }),
        ...(gcLat && { latency: roundSummary(gcLat) }),
        ...(rawLat && { baselineLatency: roundSummary(rawLat) }),
        notes: [`${round(gcRate / Math.max(1, rate))}x the default's rate (${round(rate)} cmd/s)${gcLat && lat ? `; p99 ${round(gcLat.p99)} ms vs ${round(lat.p99)} ms with the default` : ''}; ${gc.cpuMicrosPerOp.toFixed(0)} µs CPU per command`],
      };
      if (concurrency === 32 && !defaultOn) {
        const met = gcRatio !== undefined && gcRatio >= 1;
        gcFig.target = { text: 'stretch: ≥ 1.0 of raw INSERT rate', met, ...(!met && { reason: 'one statement still carries the head and guard checks, the events, the key and the vault entry per command' }) };
      }
      if (concurrency === 1 && onLat && offLat) {
        const met = onLat.p99 < 2 * offLat.p99;
        (onFig ?? gcFig).target = { text: 'p99 at 1 writer below twice the p99 with group commit off', met, ...(!met && { reason: 'the window (ORDERFLOW_GROUP_COMMIT_WINDOW_US) waits for companions that never come at 1 writer' }) };
      }
      figures.push(gcFig);
      if (concurrency === 8 && lat && rawLat) {
        const met = lat.p99 < 10;
        figures.push({
          name: 'placeOrder p99 @8 writers',
          value: round(lat.p99),
          unit: 'ms',
          baseline: { what: 'raw INSERT p99 @8', value: round(rawLat.p99), unit: 'ms' },
          ratio: round(lat.p99 / rawLat.p99),
          target: { text: 'p99 < 10 ms', met, ...(!met && { reason: 'see profile / notes' }) },
          latency: roundSummary(lat),
          baselineLatency: roundSummary(rawLat),
        });
      }
    }
    // Diagnostics at 32 writers, half as long: (a) the append statement alone with prebuilt events
    // (no zod, no decide, no envelope building): the gap to placeOrder is the JavaScript; (b) the
    // raw INSERT with a pg_notify in the same statement: why the append no longer notifies inline.
    const diagMs = Math.round(durationMs / 2);
    const store = createEventStore(pool, { groupCommit: storeSettings.primary });
    const prebuilt = restockNewEvent('BENCH-MUG', 1, 'bench');
    const bare = await measuredLoop(32, diagMs, warmupMs, () => store.append(`order-${randomUUID()}`, 0, [{ ...prebuilt, eventId: randomUUID() }]));
    const notifying = await measuredLoop(32, diagMs, warmupMs, () => pool.query(`with i as (${insertOne} returning 1) select (select count(*) from i), pg_notify('bench_diag', '')`, orderPlacedRawRow()));
    const rawAgain = await measuredLoop(32, diagMs, warmupMs, () => pool.query(insertOne, orderPlacedRawRow()));
    const rawAgainRate = ratePerSecond(rawAgain.ok, rawAgain.elapsedMs);
    for (const [name, r, note] of [
      ['diagnostic: append statement alone @32', bare, 'appendToStreamAtomic with a prebuilt event: the SQL side of placeOrder without its JavaScript'],
      ['diagnostic: raw INSERT + pg_notify in the statement @32', notifying, 'Postgres serialises notifying commits (one cluster-wide lock held through the WAL flush), so the append notifies after its commit (command-side/eventStore/relayWaker.ts)'],
    ] as const) {
      const rate = ratePerSecond(r.ok, r.elapsedMs);
      const q = ratio(rate, rawAgainRate);
      const lat = summarize(r.latencies);
      figures.push({
        name,
        value: round(rate),
        unit: 'op/s',
        baseline: { what: 'raw single-row INSERT @32 (re-run beside it)', value: round(rawAgainRate), unit: 'rows/s' },
        ...(q !== undefined && { ratio: round(q) }),
        notes: [note, `${r.cpuMicrosPerOp.toFixed(0)} µs CPU per op; ${describeRun(r)}`],
        ...(lat && { latency: roundSummary(lat) }),
      });
      log(`  ${name}: ${rate.toFixed(0)}/s vs raw ${rawAgainRate.toFixed(0)}/s (${describeRun(r)})`);
    }
    const why = 'see the CPU per placeOrder and the "append statement alone" diagnostic: the gap is JavaScript on the shared 2 cores when the latter is near raw, the statement when it is not';
    for (const f of figures) if (f.target && !f.target.met && !f.name.includes(otherName) && !f.target.text.startsWith('p99 at 1 writer')) f.target.reason = why;
    return { id: 'commands', title: '1. Durable placeOrder via command handler vs raw INSERT', figures, notes };
  } finally {
    await db.drop();
  }
};
