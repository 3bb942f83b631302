import type pg from 'pg';
import { formatPosition } from '../../contracts/index.ts';
import { backlogAfter, readCheckpoint } from '../eventStore/sql/logCheckpoint.ts';

/** What `orderflow outbox status` reports. */
export interface OutboxStatus {
  /** Checkpoint name of the relay deployment. */
  relay: string;
  /** Last position the relay published and had acked ("xid.gp"; "0.0" before its first batch). */
  checkpoint: string;
  /** When the checkpoint last moved (null before the first batch). */
  checkpointUpdatedAt: string | null;
  /** Events after the checkpoint not yet published (capped at `cap`). */
  backlogRows: number;
  /** Age of the oldest unpublished event, in seconds (0 without a backlog). */
  oldestAgeSeconds: number;
  /** True when the count hit the cap (the real backlog is larger). */
  capped: boolean;
}

/** The relay's outbox backlog: its checkpoint, the events after it and the age of the oldest. */
export async function outboxStatus(db: pg.Pool | pg.ClientBase, relay = 'relay', cap = 1_000_000): Promise<OutboxStatus> {
  const checkpoint = await readCheckpoint(db, relay);
  const { rows } = await db.query<{ updated_at: Date }>('select updated_at from log_checkpoints where name = $1', [relay]);
  const backlog = await backlogAfter(db, checkpoint, cap);
  return {
    relay, checkpoint: formatPosition(checkpoint), checkpointUpdatedAt: rows[0]?.updated_at.toISOString() ?? null,
    backlogRows: backlog.rows, oldestAgeSeconds: backlog.rows > 0 ? backlog.oldestAgeSeconds : 0, capped: backlog.rows >= cap,
  };
}
