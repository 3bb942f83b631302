import type { Db } from 'mongodb';
import { ALIASES, type AliasDoc } from '../mongo/generations.ts';
import { projections as all, type Projection } from '../projections/index.ts';

/** A projection whose live generation was built by other code than this process runs. */
export interface StaleProjection {
  projection: Projection;
  /** Code version that built the live generation (stored in its alias document). */
  liveCodeVersion: number;
  codeVersion: number;
  /**
   * `behind`: the live views were built by older code, rebuild them. `ahead`: by newer code (an
   * older process is starting during a rollout): never rebuild backwards, only warn.
   */
  direction: 'behind' | 'ahead';
}

/**
 * Compares each projection's `codeVersion` with the `codeVersion` of its alias document (set when
 * a generation goes live). Projections that never ran (no alias yet) are not stale.
 */
export async function detectStaleProjections(db: Db, projections: readonly Projection[] = all): Promise<StaleProjection[]> {
  const aliases = await db.collection<AliasDoc>(ALIASES).find({ _id: { $in: projections.map((p) => p.name) } }).toArray();
  const byName = new Map(aliases.map((a) => [a._id, a]));
  const stale: StaleProjection[] = [];
  for (const projection of projections) {
    const alias = byName.get(projection.name);
    if (!alias || alias.codeVersion === projection.codeVersion) continue;
    stale.push({ projection, liveCodeVersion: alias.codeVersion, codeVersion: projection.codeVersion, direction: alias.codeVersion < projection.codeVersion ? 'behind' : 'ahead' });
  }
  return stale;
}
