/**
 * A child process for the group-commit kill test: `node --import tsx tests/support/groupCommitWriter.ts`
 * with DATABASE_URL set. 32 writers append 3 events each to fresh streams through one group
 * committer and print `ack <stream>` for every append the store acknowledged, until SIGKILLed.
 */
import pg from 'pg';
import { createEventStore } from '../../command-side/eventStore/eventStore.ts';
import { restockEvent } from './relayHarness.ts';

const WRITERS = 32;
const PER_APPEND = 3;

const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'], max: 4 });
const store = createEventStore(pool, { groupCommit: { maxCommands: 32, windowMicros: 0 } });
const run = `${process.pid}`;

async function writer(w: number): Promise<void> {
  for (let n = 0; ; n++) {
    const stream = `inventory-KILL-${run}-${w}-${n}`;
    const r = await store.append(stream, 0, Array.from({ length: PER_APPEND }, () => restockEvent(stream)));
    if (!r.ok) throw new Error(`append to ${stream} refused: ${r.reason}`);
    process.stdout.write(`ack ${stream}\n`);
  }
}

for (let w = 0; w < WRITERS; w++) {
  writer(w).catch((err: unknown) => {
    process.stderr.write(`writer ${w} failed: ${String(err)}\n`);
    process.exit(1);
  });
}
