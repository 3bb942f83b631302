// Public edge of the projector. Other parts import only from here (lint: boundaries rule).

// Reading views: the projections (their documents and query functions) and the one read port.
export { projectionByName, projections, ProjectionError, type Projection } from './projections/index.ts';
export { inventoryProjection, type InventoryDoc } from './projections/inventory.ts';
export {
  ORDER_DETAIL_VIEW, orderDetailProjection, type OrderDetailDoc, type OrderPaymentStatus, type OrderReservationStatus,
} from './projections/order_detail.ts';
export type { OrderStatus } from './projections/orderEvents.ts';
export {
  customerOrdersQuery, encodeCursor, ordersByCustomerProjection, toCustomerOrdersPage,
  type CustomerOrdersPage, type OrderByCustomerDoc,
} from './projections/orders_by_customer.ts';
export { revenueBucketsOf, revenueByDayProjection, revenueByDayQuery, type RevenueBucket } from './projections/revenue_by_day.ts';
export { SALES_BY_PRODUCT_VIEW, SALES_RECENT_VIEW, salesBucketOf, salesByProductProjection, type SalesBucket } from './projections/sales_by_product.ts';
export { createViewReadPort, type ViewReadPort } from './mongo/readPort.ts';
export { foldInMemory } from './memory/memoryViews.ts';
export { liveGeneration, physicalName } from './mongo/generations.ts';

// Freshness: checkpoints, topics and "view changed" notifications (read-your-writes, subscriptions).
export { readCheckpoints } from './runner/checkpoints.ts';
export { parseViewChanged, type ChangeCause, type ViewChanged } from './runner/viewChanged.ts';
export { createProjectorWorker, projectionTopics } from './runner/projectorWorker.ts';

// Operating projections: status, dead letters, rebuilds.
export { projectionStatuses, type ProjectionStatus } from './runner/status.ts';
export {
  discardDeadLetter, getDeadLetter, isDeadLetterStatus, listDeadLetters, retryDeadLetter,
  type DeadLetter, type DeadLetterRefusal, type DeadLetterStatus,
} from './runner/deadLetterOps.ts';
export {
  beginRebuild, compareGenerations, detectStaleProjections, formatDiff, replayIntoGeneration, formatProgress, formatSeconds, progressBar, readRebuild, rebuildProjection, RebuildInProgressError,
  type GenerationComparison, type RebuildDoc, type RebuildPhase, type RebuildProgress, type RebuildStatus, type RebuildResult, type StartedRebuild,
} from './rebuild/index.ts';
