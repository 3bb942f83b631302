import type pg from 'pg';

/** Whether a notification was already handed to the transport. */
export type SentLookup = { sent: false } | { sent: true; messageId: string; eventId: string };

/** Looks a notification key (`<EventType>:<orderId>`) up in `notifications_sent`. */
export async function findSent(db: pg.Pool | pg.ClientBase, key: string): Promise<SentLookup> {
  const { rows } = await db.query<{ message_id: string; event_id: string }>(
    'select message_id, event_id from notifications_sent where notification_key = $1',
    [key],
  );
  const row = rows[0];
  return row ? { sent: true, messageId: row.message_id, eventId: row.event_id } : { sent: false };
}
