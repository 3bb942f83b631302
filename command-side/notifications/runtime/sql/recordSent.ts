import type pg from 'pg';

/** One notification handed to the transport. */
export interface SentNotification {
  key: string;
  eventId: string;
  orderId: string;
  eventType: string;
  messageId: string;
}

/** `recorded`: first record; `already`: another delivery recorded it first (it sent the same Message-ID). */
export type RecordSentResult = { ok: true; outcome: 'recorded' | 'already' };

const SQL = `insert into notifications_sent (notification_key, event_id, order_id, event_type, message_id)
             values ($1, $2, $3, $4, $5) on conflict (notification_key) do nothing`;

/** Records that a notification was sent; a repeat is reported, not an error. */
export async function recordSent(db: pg.Pool | pg.ClientBase, n: SentNotification): Promise<RecordSentResult> {
  const r = await db.query(SQL, [n.key, n.eventId, n.orderId, n.eventType, n.messageId]);
  return { ok: true, outcome: r.rowCount === 1 ? 'recorded' : 'already' };
}
