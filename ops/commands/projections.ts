import type { Command } from 'commander';
import pino from 'pino';
import { projectionByName, projections, formatProgress, formatSeconds, progressBar, rebuildProjection, RebuildInProgressError, type RebuildProgress, type RebuildResult, projectionStatuses, type ProjectionStatus } from '../../projector/index.ts';
import { loadConfig, type AppConfig, createLogger } from '../../platform/index.ts';
import { eventStorePorts } from '../../command-side/index.ts';
import { CliError, emit, ExitCode, notFound, positiveInt, processIo, runCommand, table, withMongo, withPool, type Io } from './cliSupport.ts';

const known = () => projections.map((p) => p.name).join(', ');

/** `projections list`: one line per projection. Pure. */
export function formatProjectionList(statuses: readonly ProjectionStatus[]): string[] {
  return table([
    ['PROJECTION', 'GEN', 'CODE', 'LIVE CODE', 'LAG', 'DLQ OPEN', 'REBUILD'],
    ...statuses.map((s) => [
      s.name, s.generation === null ? '-' : String(s.generation), String(s.codeVersion),
      s.liveCodeVersion === null ? '-' : `${s.liveCodeVersion}${s.stale ? ` (${s.stale})` : ''}`,
      String(s.lag), String(s.deadLettersOpen), s.rebuild ? `${s.rebuild.status}/${s.rebuild.phase}` : '-',
    ]),
  ]);
}

/** `projections status`: the detail of each projection, partitions included. Pure. */
export function formatProjectionStatus(statuses: readonly ProjectionStatus[]): string[] {
  const lines: string[] = [];
  for (const s of statuses) {
    lines.push(`${s.name}`);
    lines.push(`  generation   ${s.generation ?? '-'}${s.switchedAt ? ` (live since ${s.switchedAt})` : ''}`);
    lines.push(`  code version ${s.codeVersion} (live views built by ${s.liveCodeVersion ?? '-'})${s.stale === 'behind' ? ': STALE, rebuild it' : s.stale === 'ahead' ? ': built by NEWER code' : ''}`);
    lines.push(`  lag          ${s.lag} message(s)`);
    lines.push(`  dead letters ${s.deadLettersOpen} open${s.lastError ? `; last: ${s.lastError.error} (${s.lastError.streamId ?? '?'}, ${s.lastError.failedAt})` : ''}`);
    if (s.rebuild) {
      const r = s.rebuild;
      lines.push(`  rebuild      ${r.status}/${r.phase} → generation ${r.targetGeneration}: ${r.eventsDone}/${r.totalEstimate} events${r.error ? `; error: ${r.error}` : ''} (heartbeat ${r.heartbeatAt})`);
    }
    if (s.partitions.length === 0) lines.push('  partitions   none yet');
    else {
      lines.push(...table([
        ['    TOPIC', 'PART', 'OFFSET', 'WATERMARK', 'LAG', 'POSITION', 'CODE', 'UPDATED'],
        ...s.partitions.map((p) => [`    ${p.topic}`, String(p.partition), p.offset, p.highWatermark, String(p.lag), p.position, String(p.codeVersion), p.updatedAt]),
      ]));
    }
  }
  return lines;
}

/** The human summary of a finished rebuild, differences included. Pure. */
export function formatRebuildResult(r: RebuildResult): string[] {
  const lines = [
    `rebuilt ${r.projection}: generation ${r.fromGeneration} → ${r.toGeneration}`,
    `  replayed ${r.eventsReplayed.toLocaleString('en-US')} events at ${Math.round(r.replayRate).toLocaleString('en-US')} events/s; ${r.eventsAfterSwitch} re-applied after the switch; ${formatSeconds(r.elapsedMs / 1000)} in all`,
  ];
  if (r.resumedFrom) lines.push(`  resumed a killed run's generation after ${r.resumedFrom.events.toLocaleString('en-US')} flushed events (position ${r.resumedFrom.position})`);
  if (r.cleanedUp.length > 0) lines.push(`  dropped leftover generation(s) ${r.cleanedUp.join(', ')} of interrupted rebuilds`);
  if (r.comparison) {
    const c = r.comparison;
    lines.push(`  compare (live g${c.generationA} vs shadow g${c.generationB}, before the final catch-up): ${c.differences} document(s) differ`);
    for (const v of c.views) {
      lines.push(`    ${v.view}: live ${v.countA}, shadow ${v.countB}; only live ${v.onlyInACount}, only shadow ${v.onlyInBCount}, different ${v.differentCount}`);
      if (v.onlyInA.length > 0) lines.push(`      only in live:   ${v.onlyInA.join(', ')}`);
      if (v.onlyInB.length > 0) lines.push(`      only in shadow: ${v.onlyInB.join(', ')}`);
      if (v.different.length > 0) lines.push(`      different:      ${v.different.join(', ')}`);
    }
  }
  return lines;
}

/** Draws progress: a bar redrawn in place on a terminal, otherwise a line every `everyMs` and at each phase. */
export function progressReporter(io: Io, everyMs = 2000): { update(p: RebuildProgress): void; end(): void } {
  let lastAt = 0;
  let lastPhase = '';
  let drew = false;
  return {
    update(p) {
      const now = Date.now();
      const text = formatProgress(p.phase, p);
      if (io.isTTY) {
        if (now - lastAt < 100 && p.phase === lastPhase) return;
        io.redraw(`${progressBar(p.eventsDone, p.totalEstimate)} ${text}`);
        drew = true;
      } else if (now - lastAt >= everyMs || p.phase !== lastPhase) io.err(text);
      else return;
      lastAt = now;
      lastPhase = p.phase;
    },
    end() {
      if (drew) io.err('');
    },
  };
}

/** Options of {@link runRebuild}. */
export interface RebuildCommandOptions {
  compare?: boolean;
  batchSize?: number;
  json?: boolean;
  leaseMs?: number;
  /** Events between flushes of the streaming fold. */
  flushEvery?: number;
  /** Start over instead of resuming a killed run. */
  fresh?: boolean;
}

/**
 * `projections rebuild <name>`: rebuilds one projection with progress on stderr and the result on
 * stdout. SIGINT/SIGTERM abort it before the switch (the shadow generation is dropped).
 * @throws CliError 3 for an unknown projection, 1 when another rebuild holds the lease.
 */
export async function runRebuild(config: AppConfig, io: Io, name: string, opts: RebuildCommandOptions, signal?: AbortSignal): Promise<RebuildResult> {
  const projection = projectionByName(name) ?? notFound(`no projection named ${JSON.stringify(name)} (known: ${known()})`);
  const logger = createLogger({ env: config.env, logLevel: 'warn' }, pino.destination(2));
  const reporter = progressReporter(io);
  try {
    return await withPool(config, (pool) => withMongo(config, (db) => rebuildProjection({
      source: eventStorePorts(pool), db, projection, logger, compare: opts.compare ?? false, onProgress: reporter.update, partitions: config.kafka.topicPartitions,
      ...(opts.batchSize !== undefined && { batchSize: opts.batchSize }), ...(opts.leaseMs !== undefined && { leaseMs: opts.leaseMs }), ...(signal && { signal }),
      ...(opts.flushEvery !== undefined && { flushEveryEvents: opts.flushEvery }), fresh: opts.fresh ?? false,
    })));
  } catch (err) {
    if (err instanceof RebuildInProgressError) throw new CliError(err.message, ExitCode.FAILURE);
    throw err;
  } finally {
    reporter.end();
  }
}

/** Registers `orderflow projections list|status|rebuild`. */
export function registerProjectionCommands(program: Command, io: Io = processIo): void {
  const group = program.command('projections').description('read-model projections: status, lag, dead letters, rebuild by replay');
  group
    .command('list')
    .description('one line per projection: live generation, code version (live vs this build), lag, open dead letters, rebuild')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => runCommand(io, async () => {
      const statuses = await withMongo(loadConfig(), (db) => projectionStatuses(db));
      emit(io, o.json, statuses.map(({ partitions: _p, ...rest }) => rest), () => formatProjectionList(statuses));
    }));
  group
    .command('status')
    .argument('[name]', 'one projection (all by default)')
    .description('per projection: position, watermark and lag per partition, code version vs live, dead letters, last error, generation, rebuild')
    .option('--json', 'print JSON')
    .action((name: string | undefined, o: { json?: boolean }) => runCommand(io, async () => {
      const which = name === undefined ? projections : [projectionByName(name) ?? notFound(`no projection named ${JSON.stringify(name)} (known: ${known()})`)];
      const statuses = await withMongo(loadConfig(), (db) => projectionStatuses(db, which));
      emit(io, o.json, name === undefined ? statuses : statuses[0], () => formatProjectionStatus(statuses));
    }));
  group
    .command('rebuild')
    .argument('<name>', 'the projection to rebuild')
    .description('replay the event store into a new generation (progress and ETA on stderr), catch up with the live tail, optionally compare with live, switch atomically, drop the old generation; views keep answering throughout')
    .option('--compare', 'compare shadow and live (count + content hash per document) before switching, and print the differences')
    .option('--batch-size <n>', 'events per read', positiveInt, 5000)
    .option('--lease-ms <ms>', 'take over a rebuild lease whose heartbeat is older than this', positiveInt, 30_000)
    .option('--flush-every <n>', 'write the documents no event touched for this many events (flushes after every batch that brings a quarter of it; memory holds about that many events\' documents)', positiveInt, 10_000)
    .option('--fresh', 'start over even if a killed rebuild left a generation to resume')
    .option('--json', 'print the result as JSON')
    .action((name: string, o: { compare?: boolean; batchSize: number; leaseMs: number; flushEvery: number; fresh?: boolean; json?: boolean }) => runCommand(io, async () => {
      const abort = new AbortController();
      const stop = () => abort.abort(new CliError('interrupted', ExitCode.FAILURE));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const result = await runRebuild(loadConfig(), io, name, { compare: o.compare ?? false, batchSize: o.batchSize, leaseMs: o.leaseMs, flushEvery: o.flushEvery, fresh: o.fresh ?? false, json: o.json ?? false }, abort.signal);
        emit(io, o.json, result, () => formatRebuildResult(result));
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    }));
}
