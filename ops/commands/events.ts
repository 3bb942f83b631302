import type { Command } from 'commander';
import { redactPaymentTokensBatch } from '../../command-side/index.ts';
import { loadConfig } from '../../platform/index.ts';
import { emit, positiveInt, processIo, runCommand, withPool, type Io } from './cliSupport.ts';

/** Registers `orderflow events redact-payment-tokens`. */
export function registerEventsCommands(program: Command, io: Io = processIo): void {
  program
    .command('events')
    .description('maintenance of the stored event log')
    .command('redact-payment-tokens')
    .description('rewrite stored OrderPlaced events in place so no card token remains (one transaction per batch; safe to re-run)')
    .option('--batch-size <n>', 'rows per transaction', positiveInt, 500)
    .option('--json', 'print JSON')
    .action((o: { batchSize: number; json?: boolean }) => runCommand(io, async () => {
      const summary = await withPool(loadConfig(), async (pool) => {
        const batches: { rows: number; from: string; to: string }[] = [];
        let after = 0n;
        for (;;) {
          const r = await redactPaymentTokensBatch(pool, after, o.batchSize);
          if (r.kind === 'done') break;
          batches.push({ rows: r.rows, from: r.fromPosition.toString(), to: r.toPosition.toString() });
          if (!o.json) io.out(`batch ${batches.length}: redacted ${r.rows} event(s), positions ${r.fromPosition}..${r.toPosition}`);
          after = r.toPosition;
        }
        return { redacted: batches.reduce((n, b) => n + b.rows, 0), batches: batches.length, details: batches };
      });
      emit(io, o.json, summary, () => [`redacted the card token of ${summary.redacted} OrderPlaced event(s) in ${summary.batches} batch(es)`]);
    }));
}
