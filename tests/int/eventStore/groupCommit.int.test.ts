import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createEventStore, type AtomicAppendResult, type EventStore } from '../../../command-side/eventStore/eventStore.ts';
import { findIdempotencyKey } from '../../../command-side/eventStore/sql/idempotency.ts';
import { freshEventStore } from '../../support/eventStore.ts';
import { restockEvent } from '../../support/relayHarness.ts';

const GROUP = { groupCommit: { maxCommands: 32, windowMicros: 0 } };
const stream = (tag: string) => `inventory-GC-${tag}-${randomUUID().slice(0, 8)}`;
const events = (s: string, n = 1) => Array.from({ length: n }, () => restockEvent(s));
const txOf = (r: AtomicAppendResult) => (r.ok ? r.positions[0]?.transactionId : undefined);

describe('group commit (real Postgres)', () => {
  let pool: pg.Pool;
  let store: EventStore;
  beforeAll(async () => {
    ({ pool, store } = await freshEventStore('groupcommit', 12, GROUP));
  });
  afterAll(() => pool.end());

  it('concurrent commands on distinct streams land in one transaction, each with its own result', async () => {
    const streams = Array.from({ length: 16 }, (_, i) => stream(`one${i}`));
    const results = await Promise.all(streams.map((s, i) => store.append(s, 0, events(s, 1 + (i % 3)))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map(txOf)).size).toBe(1);
    for (const [i, s] of streams.entries()) {
      expect(results[i]).toMatchObject({ ok: true, streamVersion: 1 + (i % 3) });
      expect((await store.readStream(s)).map((e) => e.envelope.streamVersion)).toEqual(Array.from({ length: 1 + (i % 3) }, (_, v) => v + 1));
    }
  });

  it('a conflicting or stale command fails alone; its neighbours in the same group commit', async () => {
    const existing = stream('existing');
    const guard = stream('guard');
    expect((await store.append(existing, 0, events(existing))).ok).toBe(true);
    expect((await store.append(guard, 0, events(guard, 2))).ok).toBe(true);
    const fine = Array.from({ length: 6 }, (_, i) => stream(`fine${i}`));
    const staleTarget = stream('stale');
    const [conflict, stale, ...rest] = await Promise.all([
      store.append(existing, 0, events(existing)),
      store.append(staleTarget, 0, events(staleTarget), { guards: [{ streamId: guard, version: 1 }] }),
      ...fine.map((s) => store.append(s, 0, events(s), { guards: [{ streamId: guard, version: 2 }] })),
    ]);
    expect(conflict).toEqual({ ok: false, reason: 'WRONG_EXPECTED_VERSION', expected: 0, actual: 1 });
    expect(stale).toEqual({ ok: false, reason: 'STALE_GUARD', stale: [guard] });
    expect(rest.every((r) => r.ok)).toBe(true);
    expect(new Set(rest.map(txOf)).size).toBe(1);
    expect(await store.readStream(existing)).toHaveLength(1);
    expect(await store.readStream(staleTarget)).toHaveLength(0);
  });

  it('an idempotency key already taken fails only its own command; the others claim theirs with their result', async () => {
    const taken = `gc:${randomUUID()}`;
    const first = stream('keyed');
    expect((await store.append(first, 0, events(first), { idempotency: { key: taken, requestHash: 'h' } })).ok).toBe(true);
    const retry = stream('retry');
    const others = Array.from({ length: 5 }, (_, i) => ({ s: stream(`k${i}`), key: `gc:${randomUUID()}` }));
    const [dup, ...rest] = await Promise.all([
      store.append(retry, 0, events(retry), { idempotency: { key: taken, requestHash: 'h' } }),
      ...others.map(({ s, key }) => store.append(s, 0, events(s), { idempotency: { key, requestHash: 'h' } })),
    ]);
    expect(dup).toEqual({ ok: false, reason: 'KEY_EXISTS' });
    expect(await store.readStream(retry)).toHaveLength(0);
    for (const [i, r] of rest.entries()) {
      const o = others[i];
      if (!o || !r.ok) throw new Error(`append ${i} was refused: ${JSON.stringify(r)}`);
      const p = r.positions[0];
      expect(await findIdempotencyKey(pool, o.key, 'h')).toEqual({
        found: true, sameRequest: true,
        result: { streamId: o.s, streamVersion: 1, position: `${p?.transactionId}.${p?.globalPosition}`, appended: [] },
      });
    }
  });

  it('two committers racing on the same streams in opposite orders: exactly one append wins each version', async () => {
    // Like two API processes: their groups lock the same stream heads in opposite orders, so some
    // deadlock; every command still gets an exact answer.
    const other = createEventStore(pool, GROUP);
    const streams = Array.from({ length: 10 }, (_, i) => stream(`race${i}`));
    const rounds = 8;
    for (let version = 0; version < rounds; version++) {
      const [a, b] = await Promise.all([
        Promise.all(streams.map((s) => store.append(s, version, events(s)))),
        Promise.all([...streams].reverse().map((s) => other.append(s, version, events(s)))).then((r) => r.reverse()),
      ]);
      for (const [i] of streams.entries()) {
        const pair = [a[i], b[i]];
        expect(pair.filter((r) => r?.ok)).toHaveLength(1);
        expect(pair.find((r) => !r?.ok)).toMatchObject({ ok: false, reason: 'WRONG_EXPECTED_VERSION', expected: version });
      }
    }
    for (const s of streams) expect((await store.readStream(s)).map((e) => e.envelope.streamVersion)).toEqual(Array.from({ length: rounds }, (_, v) => v + 1));
  });

  it('nothing acknowledged is lost, and no group is half-written, when the process is SIGKILLed mid-group', async () => {
    const url = (pool.options as { connectionString: string }).connectionString;
    const acked: string[] = [];
    for (let kill = 0; kill < 3; kill++) {
      const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/groupCommitWriter.ts'], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      const target = acked.length + 300 + Math.floor(Math.random() * 300);
      await new Promise<void>((done, fail) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (line.startsWith('ack ')) acked.push(line.slice(4));
          if (acked.length >= target) done();
        });
        child.once('exit', (code) => fail(new Error(`writer exited (${code}) before ${target} acks: ${stderr}`)));
      });
      child.kill('SIGKILL');
      await exited;
    }
    const { rows } = await pool.query<{ stream_id: string; n: string; version: number | null }>(
      `select stream_id, count(*) as n, max(stream_version) as version from events
       where stream_id like 'inventory-KILL-%' group by stream_id`);
    const stored = new Map(rows.map((r) => [r.stream_id, r]));
    const missing = acked.filter((s) => stored.get(s)?.n !== '3' || stored.get(s)?.version !== 3);
    expect(missing).toEqual([]);
    // Committed but not acknowledged (killed before the reply) is allowed; half a command is not.
    expect(rows.filter((r) => r.n !== '3' || r.version !== 3)).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(acked.length);
  }, 120_000);
});
