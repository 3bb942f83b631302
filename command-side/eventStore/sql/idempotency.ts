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

/**
 * Claims a key inside the appending transaction, first thing, so a concurrent request with the
 * same key blocks on it and then fails with a unique violation instead of appending twice.
 * Returns false when the key already exists (the caller rolls back and reads the stored result).
 */
export async function claimIdempotencyKey(client: pg.ClientBase, key: string, requestHash: string): Promise<boolean> {
  try {
    await client.query('savepoint idem');
    await client.query('insert into idempotency_keys (key, request_hash, result) values ($1, $2, $3)', [key, requestHash, '{}']);
    await client.query('release savepoint idem');
    return true;
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    await client.query('rollback to savepoint idem');
    return false;
  }
}

/** Stores the result for a claimed key (same transaction as the append). */
export async function recordIdempotentResult(client: pg.ClientBase, key: string, result: IdempotentResult): Promise<void> {
  await client.query('update idempotency_keys set result = $2 where key = $1', [key, JSON.stringify(result)]);
}
