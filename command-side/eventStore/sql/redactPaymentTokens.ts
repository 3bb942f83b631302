import type pg from 'pg';

/** What one batch of {@link redactPaymentTokensBatch} did. */
export type RedactBatchResult =
  | { kind: 'redacted'; rows: number; fromPosition: bigint; toPosition: bigint }
  | { kind: 'done' };

/** The value that replaces a card token in a stored OrderPlaced (its upcaster never passes it on). */
export const REDACTED_TOKEN = 'redacted';

const SQL = `
with batch as (
  select global_position from events
  where type = 'OrderPlaced' and global_position > $1
    and data ? 'paymentToken' and data->>'paymentToken' <> $3
  order by global_position
  limit $2
  for update
)
update events e
   set data = jsonb_set(e.data, '{paymentToken}', to_jsonb($3::text))
  from batch
 where e.global_position = batch.global_position
returning e.global_position::text as gp`;

/**
 * Rewrites, in place and in one transaction, up to `limit` stored OrderPlaced rows after
 * `afterPosition` that still hold a card token, replacing it with {@link REDACTED_TOKEN}. Every
 * other column (ids, versions, positions, transaction ids) is untouched, so readers, the relay
 * checkpoint and consistency tokens are unaffected. Idempotent: a redacted row is skipped.
 */
export async function redactPaymentTokensBatch(pool: pg.Pool, afterPosition: bigint, limit: number): Promise<RedactBatchResult> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{ gp: string }>(SQL, [afterPosition.toString(), limit, REDACTED_TOKEN]);
    await client.query('commit');
    if (rows.length === 0) return { kind: 'done' };
    const positions = rows.map((r) => BigInt(r.gp));
    const max = positions.reduce((a, b) => (b > a ? b : a));
    const min = positions.reduce((a, b) => (b < a ? b : a));
    return { kind: 'redacted', rows: rows.length, fromPosition: min, toPosition: max };
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
