import type pg from 'pg';

/** Number of stored events, optionally only of some types (a progress total for replays). */
export async function countEvents(db: pg.Pool | pg.ClientBase, types?: readonly string[]): Promise<number> {
  const { rows } = types
    ? await db.query<{ n: string }>('select count(*) as n from events where type = any($1::text[])', [[...types]])
    : await db.query<{ n: string }>('select count(*) as n from events');
  return Number(rows[0]?.n ?? 0);
}
