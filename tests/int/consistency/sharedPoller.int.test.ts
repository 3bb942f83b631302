import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { familyTopic } from '../../../messaging/index.ts';
import { orderDetailProjection } from '../../../projector/index.ts';
import { advanceCheckpoint, CHECKPOINTS } from '../../../projector/runner/checkpoints.ts';
import { createConsistencyTracker, type ConsistencyTracker } from '../../../query-side/consistency/tracker.ts';
import type { ConsistencyToken } from '../../../query-side/consistency/token.ts';
import { mongoConnectionUrl, uniqueId } from '../../support/isolation.ts';

const PREFIX = 'poller.';
const POLL_MS = 50;
const topic = familyTopic(PREFIX, 'orders');
const tokenAt = (position: string): ConsistencyToken => ({ kind: 'stream', streamId: 'order-o1', family: 'orders', position });
const codeOf = (err: unknown) => (err as { extensions?: { code?: string } }).extensions?.code;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('consistentWith: one shared checkpoint poller per process (real FerretDB)', () => {
  let client: MongoClient;
  let db: Db;
  /** Checkpoint reads as FerretDB received them (driver command monitoring): the real round trips. */
  let storeReads = 0;
  const trackers: ConsistencyTracker[] = [];

  function tracker(maxWaitsPerPrincipal = 1000): ConsistencyTracker {
    const t = createConsistencyTracker({ db, prefix: PREFIX, partitionsOf: () => Promise.resolve(1), pollMs: POLL_MS, maxWaitsPerPrincipal });
    trackers.push(t);
    return t;
  }
  let offset = 0;
  /** What the projector writes after a batch: the partition's checkpoint, moved forward. */
  async function applied(position: string): Promise<void> {
    offset += 1;
    await advanceCheckpoint(db, { projection: orderDetailProjection.name, topic, partition: 0, offset: String(offset), position, highWatermark: '0', codeVersion: 1 });
  }

  beforeAll(async () => {
    client = new MongoClient(mongoConnectionUrl, { monitorCommands: true });
    await client.connect();
    db = client.db(uniqueId('poller'));
    client.on('commandStarted', (e) => {
      if (e.commandName === 'find' && (e.command as { find?: unknown }).find === CHECKPOINTS) storeReads += 1;
    });
  });
  afterAll(async () => {
    trackers.forEach((t) => t.stop());
    await db.dropDatabase();
    await client.close();
  });

  it('50 reads waiting together cost one checkpoint read per poll tick, not one each, and all resolve from the poll', async () => {
    const t = tracker();
    await applied('100.1');
    await t.seed();
    const before = storeReads;
    const began = Date.now();
    const waits = Array.from({ length: 50 }, (_, i) => t.waitFor([orderDetailProjection], tokenAt('100.2'), 60_000, `sub:user${i % 7}`));
    await sleep(10 * POLL_MS); // several ticks with every read parked
    const midway = storeReads - before;
    await applied('100.2'); // no notification: only the poller can see this
    await Promise.all(waits);
    const elapsed = Date.now() - began;
    const reads = storeReads - before;
    // A poll loop per waiting read would have read ≥ 50 times per tick; one shared loop reads once a
    // tick at most (a slow box only lowers the count).
    expect(midway).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(Math.ceil(elapsed / POLL_MS) + 1);
    expect(reads).toBeLessThan(50);
    expect(t.checkpointReads - 1).toBe(reads); // the tracker's own count (minus the seed) matches the store's

    // With nothing waiting, the poller is idle: no reads at all.
    const idle = storeReads;
    await sleep(6 * POLL_MS);
    expect(storeReads).toBe(idle);
  });

  it('caps concurrent waits per principal (RATE_LIMITED), counts each principal apart and frees the slot when a wait ends', async () => {
    const t = tracker(3);
    await applied('200.1');
    await t.seed();
    const parked = Array.from({ length: 3 }, () => t.waitFor([orderDetailProjection], tokenAt('200.5'), 60_000, 'sub:greedy'));
    const fourth = await t.waitFor([orderDetailProjection], tokenAt('200.5'), 60_000, 'sub:greedy').catch((e: unknown) => e);
    expect(codeOf(fourth)).toBe('RATE_LIMITED');
    expect((fourth as { extensions: Record<string, unknown> }).extensions).toMatchObject({ limit: 3, retryAfterSeconds: 1, retriable: true });
    // Another principal is not affected, and a read that needs no wait never counts.
    const other = t.waitFor([orderDetailProjection], tokenAt('200.5'), 60_000, 'ip:10.0.0.9');
    await t.waitFor([orderDetailProjection], tokenAt('200.1'), 60_000, 'sub:greedy');
    t.update(orderDetailProjection.name, { [`${topic}:0`]: '200.5' }); // the notification path
    await Promise.all([...parked, other]);
    // The slots are free again; the read's floor names what it required.
    await expect(t.waitFor([orderDetailProjection], tokenAt('200.5'), 60_000, 'sub:greedy')).resolves.toEqual([[orderDetailProjection.name, `${topic}:0`, '200.5']]);
  });

  it('a wait the views never reach ends with STALE_READ_TIMEOUT and releases its slot', async () => {
    const t = tracker(1);
    const err = await t.waitFor([orderDetailProjection], tokenAt('999999.1'), 3 * POLL_MS, 'sub:late').catch((e: unknown) => e);
    expect(codeOf(err)).toBe('STALE_READ_TIMEOUT');
    const again = await t.waitFor([orderDetailProjection], tokenAt('999999.1'), POLL_MS, 'sub:late').catch((e: unknown) => e);
    expect(codeOf(again)).toBe('STALE_READ_TIMEOUT'); // not RATE_LIMITED: the first wait gave its slot back
  });
});
