import type { Command } from 'commander';
import { createEventStore, streamAsOf, type StreamAsOf } from '../../command-side/index.ts';
import { loadConfig } from '../../platform/index.ts';
import { emit, isoTime, notFound, positiveInt, processIo, runCommand, table, withPool, type Io } from './cliSupport.ts';

/** `streams show` as text: the bound, the history within it and the folded state. Pure. */
export function formatStream(s: StreamAsOf): string[] {
  const bound = [s.bound.at ? `at ${s.bound.at}` : '', s.bound.version !== null ? `version ≤ ${s.bound.version}` : ''].filter(Boolean).join(', ');
  return [
    `${s.streamId} (${s.aggregate ?? 'no decider for this prefix: history only'})${bound ? ` as of ${bound}` : ''}: version ${s.version} of ${s.headVersion}`,
    ...(s.history.length === 0 ? ['  no events yet at that point'] : table([
      ['  VERSION', 'TYPE', 'OCCURRED AT', 'POSITION'],
      ...s.history.map((h) => [`  ${h.version}`, h.type, h.occurredAt, h.position]),
    ])),
    'state:',
    ...JSON.stringify(s.state, null, 2).split('\n').map((l) => `  ${l}`),
  ];
}

/** Registers `orderflow streams show`. */
export function registerStreamsCommands(program: Command, io: Io = processIo): void {
  program
    .command('streams')
    .description('event streams: history and state as of a moment')
    .command('show')
    .argument('<streamId>', 'e.g. order-<uuid>, inventory-<sku>, payment-<orderId>, product-<sku>')
    .description("a stream's history and its folded state (by the decider its prefix names), now or as of a time / version")
    .option('--at <time>', 'as of this ISO-8601 time (events that occurred at or before it)', isoTime)
    .option('--version <n>', 'as of this stream version', positiveInt)
    .option('--json', 'print JSON')
    .action((streamId: string, o: { at?: Date; version?: number; json?: boolean }) => runCommand(io, async () => {
      const s = (await withPool(loadConfig(), (pool) => streamAsOf(createEventStore(pool), streamId, { ...(o.at && { at: o.at }), ...(o.version !== undefined && { maxVersion: o.version }) })))
        ?? notFound(`stream ${JSON.stringify(streamId)} has no events`);
      emit(io, o.json, s, () => formatStream(s));
    }));
}
