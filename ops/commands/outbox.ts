import type { Command } from 'commander';
import { outboxStatus, type OutboxStatus } from '../../command-side/index.ts';
import { loadConfig } from '../../platform/index.ts';
import { emit, processIo, runCommand, withPool, type Io } from './cliSupport.ts';

/** `outbox status` as text. Pure. */
export function formatOutboxStatus(s: OutboxStatus): string[] {
  return [
    `relay ${s.relay}`,
    `  checkpoint  ${s.checkpoint}${s.checkpointUpdatedAt ? ` (moved ${s.checkpointUpdatedAt})` : ' (never moved)'}`,
    `  backlog     ${s.backlogRows}${s.capped ? '+' : ''} event(s) not yet published`,
    `  oldest      ${s.backlogRows > 0 ? `${s.oldestAgeSeconds.toFixed(1)} s old` : '-'}`,
  ];
}

/** Registers `orderflow outbox status`. */
export function registerOutboxCommands(program: Command, io: Io = processIo): void {
  program
    .command('outbox')
    .description('the event log as outbox: relay checkpoint and backlog')
    .command('status')
    .description('relay checkpoint, events not yet published to Kafka, age of the oldest')
    .option('--relay <name>', 'relay checkpoint name', 'relay')
    .option('--json', 'print JSON')
    .action((o: { relay: string; json?: boolean }) => runCommand(io, async () => {
      const s = await withPool(loadConfig(), (pool) => outboxStatus(pool, o.relay));
      emit(io, o.json, s, () => formatOutboxStatus(s));
    }));
}
