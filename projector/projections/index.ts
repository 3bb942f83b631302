import { inventoryProjection } from './inventory.ts';
import { orderDetailProjection } from './order_detail.ts';
import { ordersByCustomerProjection } from './orders_by_customer.ts';
import type { Projection } from './projection.ts';
import { revenueByDayProjection } from './revenue_by_day.ts';
import { salesByProductProjection } from './sales_by_product.ts';

export type { AddOp, BucketSpec, IndexSpec, Projection, ProjectionContext, RankedList, RankedView, RankItem, RankOp, RecomputedBucket, ShardedView, ShardStamp, ViewSpec, WriteOp } from './projection.ts';
export { bucketId, mergeRanked, rankedListId, rankOrder, rerank, resolveAdds, stampAdds, stampRanks, sumShards } from './projection.ts';
export { ProjectionError, type ProjectionErrorCode } from './projection.ts';

/**
 * Every read-model projection, each with a unique `name` (its checkpoint key) and
 * disjoint logical view names, so the runner can host them side by side.
 */
export const projections: readonly Projection[] = [
  orderDetailProjection,
  ordersByCustomerProjection,
  inventoryProjection,
  revenueByDayProjection,
  salesByProductProjection,
];

/** The projection registered under `name`, or `undefined`. */
export function projectionByName(name: string): Projection | undefined {
  return projections.find((p) => p.name === name);
}
