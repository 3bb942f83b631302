import type pg from 'pg';
import { messageIdFor, NOTIFIABLE_TYPES } from '../../command-side/index.ts';
import type { CheckResult } from './check.ts';

/**
 * Exactly one mail per order transition, by Message-ID (how a real relay deduplicates): every
 * notifiable event in the store has its Message-ID at the sink, and the sink holds no other.
 * Deliveries of the same Message-ID more than once (a crash between send and record) are reported.
 */
export async function oneMailPerTransition(pool: pg.Pool, delivered: readonly (string | null)[], domain: string): Promise<CheckResult> {
  const { rows } = await pool.query<{ type: string; id: string }>("select type, data->>'orderId' as id from events where type = any($1)", [[...NOTIFIABLE_TYPES]]);
  const expected = new Set(rows.map((r) => messageIdFor(`${r.type}:${r.id}`, domain)));
  const got = new Map<string, number>();
  for (const id of delivered) if (id) got.set(id, (got.get(id) ?? 0) + 1);
  const missing = [...expected].filter((id) => !got.has(id)).length;
  const unexpected = [...got.keys()].filter((id) => !expected.has(id)).length;
  const redelivered = [...got.values()].filter((n) => n > 1).length;
  return {
    name: 'exactly one mail per order transition (by Message-ID)',
    passed: missing === 0 && unexpected === 0 && expected.size > 0,
    summary: `${expected.size} transitions, ${got.size} distinct Message-IDs, ${missing} missing, ${unexpected} unexpected, ${redelivered} delivered more than once (deduplicated)`,
    details: { missing, unexpected, redelivered, deliveries: delivered.length },
  };
}
