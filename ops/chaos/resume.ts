import type pg from 'pg';
import { gql } from './graphql.ts';

/** How long work took to resume after one fault, from `since` (the kill, or the engine's return). */
export interface ResumeTimes {
  /** Probe orders acknowledged (one per partition). */
  probes: number;
  /** When the last probe was acknowledged, from `since`. */
  probesAckedMs: number;
  /** First / last probe order readable from the views (projected). null = not within the bound. */
  firstProjectedMs: number | null;
  allProjectedMs: number | null;
  /** First / last probe order with a saga step in the store (a reservation or payment event). */
  firstSagaStepMs: number | null;
  allSagaStepMs: number | null;
  /** First / last probe order's outcome mail (confirmed or rejected) at the sink. */
  firstMailMs: number | null;
  allMailMs: number | null;
}

/** What {@link measureResume} polls. */
export interface ResumeProbe {
  url: string;
  pool: pg.Pool;
  /** Message-IDs seen at the SMTP sink. */
  mailIds(): Set<string>;
  /** The Message-IDs an order's outcome mail may have (confirmed or rejected). */
  outcomeMailIds(orderId: string): string[];
}

const ORDER = 'query($id: ID!) { order(id: $id) { id } }';

/**
 * Polls every 250 ms until every probe order is projected, has a saga step and was mailed (or
 * `boundMs` passes after the probes were acknowledged: on a loaded box placing them can itself take
 * a while), and returns the first and last times of each, from `since`.
 */
export async function measureResume(p: ResumeProbe, customerId: string, orderIds: string[], since: number, boundMs: number): Promise<ResumeTimes> {
  const ackedAt = Date.now();
  const projected = new Map<string, number>();
  const stepped = new Map<string, number>();
  const mailed = new Map<string, number>();
  const deadline = Date.now() + boundMs;
  const pending = (m: Map<string, number>) => orderIds.filter((id) => !m.has(id));
  while (Date.now() < deadline && (pending(projected).length + pending(stepped).length + pending(mailed).length) > 0) {
    const now = Date.now() - since;
    await Promise.all(pending(projected).map(async (id) => {
      const a = await gql<{ order: { id: string } | null }>(p.url, `dev:${customerId}:customer`, ORDER, { id }, 3_000);
      if (a.data?.order) projected.set(id, now);
    }));
    const waiting = pending(stepped);
    if (waiting.length > 0) {
      const { rows } = await p.pool.query<{ id: string }>("select distinct data->>'orderId' as id from events where data->>'orderId' = any($1) and type <> 'OrderPlaced'", [waiting])
        .catch(() => ({ rows: [] as { id: string }[] }));
      for (const r of rows) stepped.set(r.id, now);
    }
    const ids = p.mailIds();
    for (const id of pending(mailed)) if (p.outcomeMailIds(id).some((m) => ids.has(m))) mailed.set(id, now);
    await new Promise((r) => setTimeout(r, 250));
  }
  const first = (m: Map<string, number>) => (m.size > 0 ? Math.min(...m.values()) : null);
  const all = (m: Map<string, number>) => (orderIds.length > 0 && m.size === orderIds.length ? Math.max(...m.values()) : null);
  return {
    probes: orderIds.length, probesAckedMs: ackedAt - since,
    firstProjectedMs: first(projected), allProjectedMs: all(projected),
    firstSagaStepMs: first(stepped), allSagaStepMs: all(stepped),
    firstMailMs: first(mailed), allMailMs: all(mailed),
  };
}
