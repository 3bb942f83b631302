import type pg from 'pg';
import { counter, histogram } from '../../platform/index.ts';
import type { NewEvent } from './sql/appendToStream.ts';
import { appendGroup, type GroupedAppend } from './sql/appendGroup.ts';
import { appendToStreamAtomic, type AtomicAppendOptions, type AtomicAppendResult } from './sql/appendToStreamAtomic.ts';

/** Group commit settings (ORDERFLOW_GROUP_COMMIT_MAX, ORDERFLOW_GROUP_COMMIT_WINDOW_US). */
export interface GroupCommitOptions {
  /** Most commands appended in one statement; 1 turns group commit off. */
  maxCommands: number;
  /**
   * How long the first command waits for companions when no group is in flight, in µs. Below
   * 1,000 it is one event-loop turn (Node timers have millisecond resolution). While a group is in
   * flight the next one gathers anyway, so under load the groups size themselves.
   */
  windowMicros: number;
}

/** Appends through shared statements; same contract as a single append. */
export interface GroupCommitter {
  /** Resolves with this command's own result once the group holding it committed. */
  append(streamId: string, expectedVersion: number, events: readonly NewEvent[], options?: AtomicAppendOptions): Promise<AtomicAppendResult>;
}

interface Pending {
  command: GroupedAppend;
  resolve(result: AtomicAppendResult): void;
  reject(err: unknown): void;
}

const groupSize = histogram({
  name: 'orderflow_group_commit_commands', help: 'Commands appended per group-commit statement',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128],
});
const retriedAlone = counter<'code'>({
  name: 'orderflow_group_commit_retried_alone_total', help: 'Groups rolled back for one unknown member (key taken, deadlock) and re-run one command at a time', labelNames: ['code'],
});

/**
 * Removes from `queue` and returns the next group: at most `max` commands in queue order, with
 * distinct streams and distinct idempotency keys; the commands it skips keep their order.
 */
export function takeGroup<T extends { command: GroupedAppend }>(queue: T[], max: number): T[] {
  const group: T[] = [];
  const streams = new Set<string>();
  const keys = new Set<string>();
  for (let i = 0; i < queue.length && group.length < max;) {
    const p = queue[i] as T;
    const key = p.command.options?.idempotency?.key;
    // A second command on a stream (or key) already in the group goes in the next one, in order:
    // two of them in one statement could not both be checked against the head they expect.
    if (streams.has(p.command.streamId) || (key !== undefined && keys.has(key))) { i++; continue; }
    streams.add(p.command.streamId);
    if (key !== undefined) keys.add(key);
    group.push(p);
    queue.splice(i, 1);
  }
  return group;
}

function alone(pool: pg.Pool, p: Pending): Promise<void> {
  const c = p.command;
  return appendToStreamAtomic(pool, c.streamId, c.expectedVersion, [...c.events], c.options).then(p.resolve, p.reject);
}

/**
 * Creates a group committer: concurrent appends to different streams share one statement (one
 * transaction, one WAL flush) of up to `maxCommands` commands, one group in flight at a time.
 * Each command keeps its own result: its own concurrency check, guards and idempotency claim
 * (see `sql/appendGroup.ts`); a group rolled back for one member's key or a deadlock is re-run one
 * command at a time, so one command's conflict never fails another. Nothing is acknowledged
 * before its group committed.
 */
export function createGroupCommitter(pool: pg.Pool, options: GroupCommitOptions): GroupCommitter {
  const queue: Pending[] = [];
  let inFlight = false;
  let waiting = false;

  const run = async (group: Pending[]): Promise<void> => {
    groupSize.observe(group.length);
    if (group.length === 1) return alone(pool, group[0] as Pending);
    try {
      const outcome = await appendGroup(pool, group.map((p) => p.command));
      if (outcome.ok) {
        outcome.results.forEach((r, i) => group[i]?.resolve(r));
        return;
      }
      retriedAlone.inc({ code: outcome.code });
      await Promise.all(group.map((p) => alone(pool, p)));
    } catch (err) {
      for (const p of group) p.reject(err);
    }
  };

  const flush = (): void => {
    waiting = false;
    if (inFlight || queue.length === 0) return;
    inFlight = true;
    void run(takeGroup(queue, options.maxCommands)).finally(() => {
      inFlight = false;
      // Whatever queued meanwhile has waited a whole statement already: it leaves at once.
      flush();
    });
  };

  const schedule = (): void => {
    if (inFlight) return;
    if (queue.length >= options.maxCommands) return flush();
    if (waiting) return;
    waiting = true;
    if (options.windowMicros < 1000) setImmediate(flush);
    else setTimeout(flush, Math.round(options.windowMicros / 1000));
  };

  return {
    append(streamId, expectedVersion, events, appendOptions) {
      return new Promise<AtomicAppendResult>((resolve, reject) => {
        queue.push({ command: { streamId, expectedVersion, events, ...(appendOptions && { options: appendOptions }) }, resolve, reject });
        schedule();
      });
    },
  };
}
