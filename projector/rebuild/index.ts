// Public edge of the rebuild part: replay the event store into a new generation and switch to it.
export { beginRebuild, rebuildProjection, type RebuildOptions, type RebuildProgress, type RebuildResult, type StartedRebuild } from './rebuild.ts';
export { compareGenerations, canonicalJson, docHash, VOLATILE_FIELDS, type DocumentDifference, type GenerationComparison, type ViewComparison } from './compare.ts';
export { documentDiff, formatDiff, type FieldDifference } from './documentDiff.ts';
export { detectStaleProjections, type StaleProjection } from './stale.ts';
export { drainInto, flushViews, replayIntoGeneration, ReplayProjectionError, type ReplayOptions, type ReplayResult } from './replay.ts';
export {
  claimRebuild, isStale, LeaseLostError, readRebuild, RebuildInProgressError, REBUILDS,
  type RebuildDoc, type RebuildNumbers, type RebuildPhase, type RebuildStatus,
} from './lease.ts';
export { formatProgress, formatSeconds, progressBar, progressNumbers } from './progress.ts';
