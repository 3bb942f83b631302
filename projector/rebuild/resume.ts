import type { RebuildDoc, RebuildPhase } from './lease.ts';

/** Where a resumed replay starts: after `position`, with `events` already in the generation. */
export interface ResumePoint {
  generation: number;
  position: string;
  events: number;
}

/** Phases in which only the rebuild writes its generation (before the switch): it can be resumed. */
const RESUMABLE: ReadonlySet<RebuildPhase> = new Set(['replaying', 'comparing', 'catching-up']);

/**
 * Whether a new run may continue the generation a previous run left, and from where. Only a run
 * that was killed (still `running`, its process gone: nothing of it can still be in flight) before
 * the switch, with the same live generation and projection code, after at least one flush, whose
 * generation still exists. Anything else (and `fresh`) starts over. Pure.
 */
export function resumePointOf(previous: RebuildDoc | null, now: {
  liveGeneration: number;
  codeVersion: number;
  generations: readonly number[];
  ownerGone: (d: RebuildDoc) => boolean;
  fresh?: boolean;
}): ResumePoint | null {
  if (!previous || now.fresh === true) return null;
  if (previous.status !== 'running' || !RESUMABLE.has(previous.phase)) return null;
  if (previous.fromGeneration !== now.liveGeneration || previous.codeVersion !== now.codeVersion) return null;
  const events = previous.flushedEvents ?? 0;
  if (events <= 0 || typeof previous.flushedPosition !== 'string') return null;
  if (!now.generations.includes(previous.targetGeneration)) return null;
  if (!now.ownerGone(previous)) return null;
  return { generation: previous.targetGeneration, position: previous.flushedPosition, events };
}
