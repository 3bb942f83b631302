import type { Command } from 'commander';
import type { ServiceStatus } from '../../stack/service.ts';
import { stackStatus } from '../../stack/stack.ts';
import { emit, ExitCode, processIo, runCommand, table, type Io } from './cliSupport.ts';

/** `stack status` as text. Pure. */
export function formatStack(all: readonly ServiceStatus[]): string[] {
  return table(all.map((s) => [s.name, s.answers ? 'up' : 'DOWN', `127.0.0.1:${s.port}`, s.version, s.pid ? `pid ${s.pid}` : '']));
}

/** Registers `orderflow stack status` (exit 1 when a service does not answer). */
export function registerStackCommands(program: Command, io: Io = processIo): void {
  program
    .command('stack')
    .description('the local PostgreSQL, Kafka, FerretDB and Redis')
    .command('status')
    .description('each service: answers or not, port, version, pid (exit 1 when one is down)')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => runCommand(io, async () => {
      const all = await stackStatus();
      emit(io, o.json, all, () => formatStack(all));
      return all.every((s) => s.answers) ? ExitCode.OK : ExitCode.FAILURE;
    }));
}
