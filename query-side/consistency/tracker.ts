import type { Db } from 'mongodb';
import { familyTopic, partitionOf } from '../../messaging/index.ts';
import { projectionTopics, readCheckpoints, type Projection } from '../../projector/index.ts';
import { counter, gauge, type Logger } from '../../platform/index.ts';
import { appError, ErrorCode, staleReadTimeout } from '../errors.ts';
import { comparePositionText } from '../../contracts/index.ts';
import type { ConsistencyToken } from './token.ts';
import type { ReadFloor } from '../views/viewCache.ts';

const checkpointReads = counter({ name: 'orderflow_consistency_checkpoint_reads_total', help: 'Reads of the projection checkpoints by the consistency tracker (seed and shared poller)' });
const openWaits = gauge({ name: 'orderflow_consistency_waits', help: 'consistentWith reads waiting for the views right now' });
const refusedWaits = counter({ name: 'orderflow_consistency_waits_refused_total', help: 'consistentWith waits refused because the principal held its maximum of concurrent waits' });

/** Options of {@link createConsistencyTracker}. */
export interface ConsistencyTrackerOptions {
  db: Db;
  prefix: string;
  partitionsOf: (topic: string) => Promise<number>;
  /** Interval of the one checkpoint poller of the process, while reads wait. @default 250 */
  pollMs?: number;
  /** Concurrent waits per principal; the next one is RATE_LIMITED. @default 20 */
  maxWaitsPerPrincipal?: number;
  logger?: Logger;
}

/**
 * Knows, per projection and partition, the log position the views have applied (fed by "view
 * changed" notifications, seeded from the checkpoints), and lets a read wait until a token is covered.
 * A mutation's token waits only for the one partition holding its stream: reads never wait on the
 * slowest partition.
 *
 * Notifications are the fast path. To cover a lost or late one, ONE poller per process re-reads the
 * checkpoints every `pollMs` while at least one read waits, and wakes every waiter: N waiting reads
 * cost one store read per tick, not N. Each principal may hold `maxWaitsPerPrincipal` waits at once,
 * so one caller cannot fill the process with parked reads.
 */
export function createConsistencyTracker(opts: ConsistencyTrackerOptions) {
  const positions = new Map<string, Map<string, string>>();
  const waiters = new Set<() => void>();
  const waitsOf = new Map<string, number>();
  const pollMs = opts.pollMs ?? 250;
  const maxWaits = opts.maxWaitsPerPrincipal ?? 20;
  let pollTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  let reads = 0;

  function update(projection: string, vector: Record<string, string>): void {
    const mine = positions.get(projection) ?? new Map<string, string>();
    for (const [tp, pos] of Object.entries(vector)) {
      const cur = mine.get(tp);
      if (cur === undefined || comparePositionText(pos, cur) > 0) mine.set(tp, pos);
    }
    positions.set(projection, mine);
    for (const w of waiters) w();
  }

  async function seed(): Promise<void> {
    reads += 1;
    checkpointReads.inc();
    for (const cp of await readCheckpoints(opts.db)) update(cp.projection, { [`${cp.topic}:${cp.partition}`]: cp.position });
  }

  /** Arms the shared poller when reads wait and it is not armed; the next tick starts after the previous read ended. */
  function armPoller(): void {
    if (stopped || pollTimer !== undefined || waiters.size === 0) return;
    pollTimer = setTimeout(() => {
      seed()
        .catch((err: unknown) => opts.logger?.warn({ err }, 'consistency poller could not read the checkpoints'))
        .finally(() => {
          pollTimer = undefined;
          armPoller();
        });
    }, pollMs);
  }

  /** The "topic:partition" → position pairs a token requires of one projection. */
  async function requirements(projection: Projection, token: ConsistencyToken): Promise<[string, string][]> {
    const topics = new Set(projectionTopics(opts.prefix, projection));
    if (token.kind === 'vector') return Object.entries(token.positions).filter(([tp]) => topics.has(tp.slice(0, tp.lastIndexOf(':'))));
    const topic = familyTopic(opts.prefix, token.family);
    if (!topics.has(topic)) return []; // this view never reads that stream's family: nothing to wait for
    return [[`${topic}:${partitionOf(token.streamId, await opts.partitionsOf(topic))}`, token.position]];
  }

  function covered(projection: string, reqs: [string, string][]): boolean {
    const mine = positions.get(projection);
    return reqs.every(([tp, pos]) => {
      const at = mine?.get(tp);
      return at !== undefined && comparePositionText(at, pos) >= 0;
    });
  }

  function park(done: () => boolean, timeoutMs: number, projections: readonly Projection[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (done()) finish(undefined);
      };
      const finish = (err: Error | undefined) => {
        waiters.delete(check);
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => finish(done() ? undefined : staleReadTimeout({ timeoutMs, projections: projections.map((p) => p.name) })), timeoutMs);
      waiters.add(check);
      armPoller();
    });
  }

  return {
    update,
    seed,
    /** The current watermark vector of a projection (for subscription tokens). */
    vector(projection: string): Record<string, string> {
      return Object.fromEntries(positions.get(projection) ?? []);
    },
    /** Checkpoint reads so far (seed and poller): what a waiting read costs the store. */
    get checkpointReads(): number {
      return reads;
    },
    /**
     * Resolves once every given projection has applied what `token` names, with what it waited for
     * (the read's floor: a cache may answer the read only when it covers it). `principal` is the key
     * its concurrent waits are counted under (a subject, or a client address when anonymous).
     * @throws GraphQLError STALE_READ_TIMEOUT after `timeoutMs`; RATE_LIMITED when `principal` already holds its maximum of waits.
     */
    async waitFor(projections: readonly Projection[], token: ConsistencyToken, timeoutMs: number, principal: string): Promise<ReadFloor> {
      const reqs = await Promise.all(projections.map(async (p) => [p.name, await requirements(p, token)] as const));
      const floor: ReadFloor = reqs.flatMap(([name, r]) => r.map(([tp, pos]) => [name, tp, pos] as const));
      const done = () => reqs.every(([name, r]) => covered(name, r));
      if (done()) return floor; // already visible: no wait, nothing counted
      const held = waitsOf.get(principal) ?? 0;
      if (held >= maxWaits) {
        refusedWaits.inc();
        throw appError(ErrorCode.RATE_LIMITED, `at most ${maxWaits} consistentWith reads may wait at once per principal`, { limit: maxWaits, retryAfterSeconds: 1 });
      }
      waitsOf.set(principal, held + 1);
      openWaits.inc();
      try {
        await park(done, timeoutMs, projections);
      } finally {
        openWaits.dec();
        const left = (waitsOf.get(principal) ?? 1) - 1;
        if (left <= 0) waitsOf.delete(principal);
        else waitsOf.set(principal, left);
      }
      return floor;
    },
    /** Stops the poller (waiting reads still end at their timeout). */
    stop(): void {
      stopped = true;
      clearTimeout(pollTimer);
    },
  };
}

/** The tracker's public face. */
export type ConsistencyTracker = ReturnType<typeof createConsistencyTracker>;
