import type { Db } from 'mongodb';
import type pg from 'pg';
import { eventStorePorts } from '../../command-side/index.ts';
import { compareGenerations, formatDiff, liveGeneration, physicalName, projections, replayIntoGeneration, type GenerationComparison } from '../../projector/index.ts';
import type { CheckResult } from './check.ts';

/** Generation the replays are written to (never a live one: live generations count up from 1). */
const SCRATCH = 9_000;

/**
 * Lines saying which documents of a projection differ from the replay and how (per view its counts,
 * then each described document: its id and a short field diff), so a failed run can be diagnosed.
 */
export function differenceLines(c: GenerationComparison): string[] {
  const lines: string[] = [];
  for (const v of c.views) {
    if (v.onlyInACount + v.onlyInBCount + v.differentCount === 0) continue;
    lines.push(`${c.projection}/${v.view}: live ${v.countA}, replay ${v.countB}; different ${v.differentCount}, only live ${v.onlyInACount}, only replay ${v.onlyInBCount}`);
    for (const s of v.samples) {
      lines.push(`  ${s.id}:`);
      for (const f of formatDiff(s.fields, { a: 'live', b: 'replay' })) lines.push(`    ${f}`);
    }
  }
  return lines;
}

/**
 * Every view equals a fresh replay of the store: each projection is replayed into a scratch
 * generation and compared document by document (content hashes; sharded and ranked views by the
 * merged bucket reads see) with its live generation; the comparison is retried until `timeoutMs`
 * so that views still catching up are not counted. A failure lists which documents differ and how.
 */
export async function viewsEqualReplay(pool: pg.Pool, db: Db, timeoutMs: number): Promise<CheckResult> {
  const source = eventStorePorts(pool);
  const diffs: Record<string, number> = {};
  const lines: string[] = [];
  let documents = 0;
  for (const projection of projections) {
    for (const v of projection.views) await db.collection(physicalName(v.name, SCRATCH)).drop().catch(() => undefined);
    await replayIntoGeneration({ source, db, projection, generation: SCRATCH });
    const live = (await liveGeneration(db, projection)).generation;
    const deadline = Date.now() + timeoutMs;
    let c = await compareGenerations(db, projection, live, SCRATCH);
    while (!c.equal && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2_000));
      c = await compareGenerations(db, projection, live, SCRATCH);
    }
    diffs[projection.name] = c.differences;
    lines.push(...differenceLines(c));
    documents += c.views.reduce((n, v) => n + v.countB, 0);
    for (const v of projection.views) await db.collection(physicalName(v.name, SCRATCH)).drop().catch(() => undefined);
  }
  const wrong = Object.entries(diffs).filter(([, n]) => n > 0);
  return {
    name: 'every view equals a fresh replay',
    passed: wrong.length === 0 && documents > 0,
    summary: `${projections.length} projections, ${documents} documents, ${wrong.length === 0 ? 'no difference' : wrong.map(([p, n]) => `${p} ${n} diffs`).join(', ')}`,
    lines,
    details: diffs,
  };
}
