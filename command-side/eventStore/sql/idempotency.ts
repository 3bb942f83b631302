import type pg from 'pg';

/** What a mutation returned the first time; replayed verbatim for a retried request. */
export type IdempotentResult = Record<string, unknown>;

/** Outcome of looking a key up. */
export type KeyLookup =
  | { found: false }
  | { found: true; sameRequest: true; result: IdempotentResult }
  | { found: true; sameRequest: false };

/** Looks a key up; a key reused for a different request is reported as such, not replayed. */
export async function findIdempotencyKey(db: pg.Pool | pg.ClientBase, key: string, requestHash: string): Promise<KeyLookup> {
  const { rows } = await db.query<{ request_hash: string; result: IdempotentResult }>('select request_hash, result from idempotency_keys where key = $1', [key]);
  const row = rows[0];
  if (!row) return { found: false };
  return row.request_hash === requestHash ? { found: true, sameRequest: true, result: row.result } : { found: true, sameRequest: false };
}

// The claim and the result record ride in the append itself (appendToStreamAtomic.ts).
