export { createNotificationWorker, notifyGroup, type NotificationWorker, type NotificationWorkerOptions } from './notificationWorker.ts';
export { classifyNotificationFailure, OrderNotFoundError } from './failures.ts';
export { notificationMetrics, type NotificationMetrics } from './metrics.ts';
export { findSent, type SentLookup } from './sql/findSent.ts';
export { recordSent, type RecordSentResult, type SentNotification } from './sql/recordSent.ts';
