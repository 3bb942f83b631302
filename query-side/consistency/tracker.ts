import type { Db } from 'mongodb';
import { familyTopic, partitionOf } from '../../messaging/index.ts';
import { projectionTopics, readCheckpoints, type Projection } from '../../projector/index.ts';
import { staleReadTimeout } from '../errors.ts';
import { comparePositionText } from '../../contracts/index.ts';
import type { ConsistencyToken } from './token.ts';
import type { ReadFloor } from '../views/viewCache.ts';

/**
 * Knows, per projection and partition, the log position the views have applied (fed by "view
 * changed" notifications, seeded from the checkpoints), and lets a read wait until a token is covered.
 * A mutation's token waits only for the one partition holding its stream: reads never wait on the
 * slowest partition.
 */
export function createConsistencyTracker(opts: { db: Db; prefix: string; partitionsOf: (topic: string) => Promise<number>; pollMs?: number }) {
  const positions = new Map<string, Map<string, string>>();
  const waiters = new Set<() => void>();
  const pollMs = opts.pollMs ?? 250;

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
    for (const cp of await readCheckpoints(opts.db)) update(cp.projection, { [`${cp.topic}:${cp.partition}`]: cp.position });
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

  return {
    update,
    seed,
    /** The current watermark vector of a projection (for subscription tokens). */
    vector(projection: string): Record<string, string> {
      return Object.fromEntries(positions.get(projection) ?? []);
    },
    /**
     * Resolves once every given projection has applied what `token` names, with what it waited for
     * (the read's floor: a cache may answer the read only when it covers it).
     * @throws GraphQLError STALE_READ_TIMEOUT after `timeoutMs`.
     */
    async waitFor(projections: readonly Projection[], token: ConsistencyToken, timeoutMs: number): Promise<ReadFloor> {
      const reqs = await Promise.all(projections.map(async (p) => [p.name, await requirements(p, token)] as const));
      const floor: ReadFloor = reqs.flatMap(([name, r]) => r.map(([tp, pos]) => [name, tp, pos] as const));
      const done = () => reqs.every(([name, r]) => covered(name, r));
      if (done()) return floor;
      const deadline = Date.now() + timeoutMs;
      await new Promise<void>((resolve, reject) => {
        let poll: NodeJS.Timeout | undefined;
        const check = () => {
          if (done()) finish(undefined);
          else if (Date.now() >= deadline) finish(staleReadTimeout({ timeoutMs, projections: projections.map((p) => p.name) }));
        };
        const finish = (err: Error | undefined) => {
          waiters.delete(check);
          clearInterval(poll);
          clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        };
        waiters.add(check);
        // Notifications are the fast path; re-reading the checkpoints covers a lost or late one.
        poll = setInterval(() => void seed().then(check, () => undefined), pollMs);
        const timer = setTimeout(check, timeoutMs);
      });
      return floor;
    },
  };
}

/** The tracker's public face. */
export type ConsistencyTracker = ReturnType<typeof createConsistencyTracker>;
