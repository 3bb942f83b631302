import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { projectionByName, discardDeadLetter, getDeadLetter, isDeadLetterStatus, listDeadLetters, retryDeadLetter, type DeadLetter, type DeadLetterRefusal, type DeadLetterStatus } from '../../projector/index.ts';
import { loadConfig } from '../../platform/index.ts';
import { eventStorePorts } from '../../command-side/index.ts';
import { CliError, emit, ExitCode, notFound, positiveInt, processIo, runCommand, table, withMongo, withPool, type Io } from './cliSupport.ts';

/** `dlq list` as a table. Pure. */
export function formatDeadLetters(list: readonly DeadLetter[]): string[] {
  if (list.length === 0) return ['no dead letters'];
  return table([
    ['ID', 'PROJECTION', 'STATUS', 'STREAM', 'TYPE', 'FAILED AT', 'ERROR'],
    ...list.map((d) => [d._id, d.projection, d.status, `${d.streamId ?? '?'}@${d.streamVersion ?? '?'}`, d.type ?? '?', d.failedAt, d.error.slice(0, 80)]),
  ]);
}

/** `dlq show` as text. Pure. */
export function formatDeadLetter(d: DeadLetter): string[] {
  return [
    `dead letter ${d._id}`,
    `  projection  ${d.projection} (group ${d.group})`,
    `  status      ${d.status}${d.coveredBy ? ` (covered by ${d.coveredBy})` : ''}${d.retriedThrough !== undefined ? `, re-projected through version ${d.retriedThrough}` : ''}${d.discardReason ? `: ${d.discardReason}` : ''}`,
    `  event       ${d.type ?? '?'} ${d.streamId ?? '?'}@${d.streamVersion ?? '?'} (event ${d.eventId ?? '?'})`,
    `  source      ${d.topic}[${d.partition}] offset ${d.offset}`,
    `  failed      ${d.failedAt} after ${d.attempts} attempt(s): ${d.error}`,
    ...(d.lastRetryError ? [`  last retry  ${d.lastRetryAt ?? '?'}: ${d.lastRetryError}`] : []),
    `  payload     ${d.value.slice(0, 2000)}`,
  ];
}

/** Maps a refused operation to its exit code and message. @throws CliError always. */
export function refusal(id: string, r: DeadLetterRefusal): never {
  switch (r.reason) {
    case 'NOT_FOUND':
      return notFound(`no dead letter ${JSON.stringify(id)}`);
    case 'NOT_OPEN':
      throw new CliError(`dead letter ${id} is ${r.doc.status}, not open`, ExitCode.FAILURE);
    case 'UNKNOWN_PROJECTION':
      throw new CliError(`dead letter ${id} belongs to projection ${r.doc.projection}, which this build does not have`, ExitCode.FAILURE);
    case 'NO_STREAM':
      throw new CliError(`dead letter ${id} names no stream the event store has`, ExitCode.FAILURE);
    case 'FAILED':
      throw new CliError(`retry of ${id} failed, nothing changed: ${r.error}`, ExitCode.FAILURE);
    default: {
      const unreachable: never = r;
      return unreachable;
    }
  }
}

function status(value: string): DeadLetterStatus {
  if (!isDeadLetterStatus(value)) throw new InvalidArgumentError('expected open, retried or discarded');
  return value;
}

/** Registers `orderflow dlq list|show|retry|discard`. */
export function registerDlqCommands(program: Command, io: Io = processIo): void {
  const group = program.command('dlq').description('dead-lettered events of the projectors: list, show, retry (re-project exactly once), discard');
  group
    .command('list')
    .description('dead letters, newest first')
    .option('--projection <name>', 'only this projection')
    .option('--status <status>', 'open, retried or discarded', status)
    .option('--limit <n>', 'at most this many', positiveInt, 100)
    .option('--json', 'print JSON')
    .action((o: { projection?: string; status?: DeadLetterStatus; limit: number; json?: boolean }) => runCommand(io, async () => {
      const list = await withMongo(loadConfig(), (db) => listDeadLetters(db, { ...(o.projection && { projection: o.projection }), ...(o.status && { status: o.status }), limit: o.limit }));
      emit(io, o.json, list, () => formatDeadLetters(list));
    }));
  group
    .command('show')
    .argument('<id>', 'dead letter id (from `dlq list`)')
    .description('one dead letter: event, error, attempts, payload')
    .option('--json', 'print JSON')
    .action((id: string, o: { json?: boolean }) => runCommand(io, async () => {
      const d = (await withMongo(loadConfig(), (db) => getDeadLetter(db, id))) ?? notFound(`no dead letter ${JSON.stringify(id)}`);
      emit(io, o.json, d, () => formatDeadLetter(d));
    }));
  group
    .command('retry')
    .argument('<id>', 'dead letter id')
    .description("after fixing the cause: re-project the dead event's stream from the event store (dead version to head) into the live views, exactly once, then mark it retried")
    .option('--json', 'print JSON')
    .action((id: string, o: { json?: boolean }) => runCommand(io, async () => {
      const config = loadConfig();
      const r = await withPool(config, (pool) => withMongo(config, (db) => retryDeadLetter({ db, id, streams: eventStorePorts(pool), projectionFor: projectionByName, partitions: config.kafka.topicPartitions })));
      if (!r.ok) return refusal(id, r);
      emit(io, o.json, r, () => [
        `retried ${id}: ${r.doc.streamId}@${r.doc.streamVersion}..${r.retriedThrough} re-projected into generation ${r.generation}`,
        ...(r.covered.length > 0 ? [`  also covered: ${r.covered.join(', ')}`] : []),
      ]);
    }));
  group
    .command('discard')
    .argument('<id>', 'dead letter id')
    .description('mark an open dead letter discarded (its event stays skipped)')
    .option('--reason <text>', 'why', 'discarded by operator')
    .option('--json', 'print JSON')
    .action((id: string, o: { reason: string; json?: boolean }) => runCommand(io, async () => {
      const r = await withMongo(loadConfig(), (db) => discardDeadLetter(db, id, o.reason));
      if (!r.ok) return refusal(id, r);
      emit(io, o.json, r.doc, () => [`discarded ${id}`]);
    }));
}
