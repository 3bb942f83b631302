import type pg from 'pg';
import { type EventLogSource, type StreamSource, formatPosition, parsePosition } from '../../contracts/index.ts';
import { countEvents } from './sql/countEvents.ts';
import { readAll, readAllRows } from './sql/readAll.ts';
import { readStream } from './sql/readStream.ts';
import { toStoredEvent, type EventRow } from './sql/storedEvent.ts';

/** The event-log ports (`contracts/eventLog.ts`) over the Postgres event store. */
export interface EventStorePorts extends EventLogSource, StreamSource {}

/**
 * Implements the event-log and stream ports with the event store's own SQL (gap-safe
 * global read, upcasting on read). `countEvents` is an exact `count(*)`.
 * With `types`, `readAll` parses (validates, upcasts) only events of those types.
 * @throws on a malformed position text (a programming error: positions come from this source).
 */
export function eventStorePorts(pool: pg.Pool): EventStorePorts {
  return {
    async readAll(after, limit, types) {
      let from = parsePosition(after);
      if (!from) throw new Error(`not a log position: ${JSON.stringify(after)}`);
      if (!types) return (await readAll(pool, from, limit)).map((s) => ({ envelope: s.envelope, position: formatPosition(s.position) }));
      // The store's own gap-safe read (one definition of "safe to pass"), parsing only the wanted types.
      // Keep reading past batches with none of them: an empty answer must mean "the tail".
      const wanted = new Set(types);
      for (;;) {
        const rows: EventRow[] = await readAllRows(pool, from, limit);
        const last = rows.at(-1);
        if (!last) return [];
        const picked = rows.filter((r) => wanted.has(r.type)).map(toStoredEvent);
        if (picked.length > 0) return picked.map((s) => ({ envelope: s.envelope, position: formatPosition(s.position) }));
        from = { transactionId: BigInt(last.transaction_id), globalPosition: BigInt(last.global_position) };
      }
    },
    countEvents: (types) => countEvents(pool, types),
    async readStream(streamId, fromVersion, bound = {}) {
      const stored = await readStream(pool, streamId, bound);
      return stored.filter((s) => s.envelope.streamVersion >= fromVersion).map((s) => s.envelope);
    },
  };
}
