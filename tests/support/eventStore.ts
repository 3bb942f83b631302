import type pg from 'pg';
import { createCommandHandler, type CommandContext, type CommandHandler } from '../../command-side/handlers/commandHandler.ts';
import { createEventStore, type EventStore, type EventStoreOptions } from '../../command-side/eventStore/eventStore.ts';
import { migrate } from '../../command-side/eventStore/migrate.ts';
import { freshPool } from './isolation.ts';

/** A migrated event store on a database of its own (with group commit when `options` say so). */
export async function freshEventStore(prefix: string, max = 20, options: EventStoreOptions = {}): Promise<{ pool: pg.Pool; store: EventStore; handler: CommandHandler }> {
  const pool = await freshPool(prefix, max);
  await migrate(pool);
  const store = createEventStore(pool, options);
  return { pool, store, handler: createCommandHandler({ store }) };
}

/** A command context for tests. */
export function testCtx(extra: Partial<CommandContext> = {}): CommandContext {
  return { correlationId: `test-${Math.random().toString(36).slice(2)}`, ...extra };
}

/** Number of rows in `events`. */
export async function eventCount(pool: pg.Pool): Promise<number> {
  return Number((await pool.query<{ n: string }>('select count(*) as n from events')).rows[0]?.n);
}
