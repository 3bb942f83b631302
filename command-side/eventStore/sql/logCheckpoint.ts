import type pg from 'pg';
import { START, type LogPosition } from '../../../contracts/index.ts';

/** Reads a global-log reader's checkpoint (START when it never ran). */
export async function readCheckpoint(db: pg.Pool | pg.ClientBase, name: string): Promise<LogPosition> {
  const { rows } = await db.query<{ tx: string; gp: string }>('select transaction_id::text as tx, global_position::text as gp from log_checkpoints where name = $1', [name]);
  const row = rows[0];
  return row ? { transactionId: BigInt(row.tx), globalPosition: BigInt(row.gp) } : START;
}

/** Outcome of a compare-and-set checkpoint move. */
export type CheckpointMove = { ok: true } | { ok: false; reason: 'MOVED_BY_OTHER' };

/**
 * Moves a checkpoint from `from` to `to`, compare-and-set: if another reader moved it in between,
 * nothing changes and the caller learns it (it must re-read, never overwrite).
 */
export async function moveCheckpoint(db: pg.Pool | pg.ClientBase, name: string, from: LogPosition, to: LogPosition): Promise<CheckpointMove> {
  const r = await db.query(
    `insert into log_checkpoints as c (name, transaction_id, global_position) values ($1, $4::text::xid8, $5)
     on conflict (name) do update set transaction_id = excluded.transaction_id, global_position = excluded.global_position, updated_at = now()
       where c.transaction_id = $2::text::xid8 and c.global_position = $3`,
    [name, from.transactionId.toString(), from.globalPosition.toString(), to.transactionId.toString(), to.globalPosition.toString()],
  );
  return r.rowCount === 1 ? { ok: true } : { ok: false, reason: 'MOVED_BY_OTHER' };
}

/** Events after a checkpoint that are visible to readers, and the age of the oldest (seconds). */
export async function backlogAfter(db: pg.Pool | pg.ClientBase, after: LogPosition, cap = 1_000_000): Promise<{ rows: number; oldestAgeSeconds: number }> {
  const { rows } = await db.query<{ n: string; age: string | null }>(
    `select count(*) as n, extract(epoch from now() - min(occurred_at))::text as age from (
       select occurred_at from events where (transaction_id, global_position) > ($1::text::xid8, $2::bigint) limit $3) b`,
    [after.transactionId.toString(), after.globalPosition.toString(), cap],
  );
  return { rows: Number(rows[0]?.n ?? 0), oldestAgeSeconds: Number(rows[0]?.age ?? 0) };
}
