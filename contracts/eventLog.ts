import type { EventEnvelope } from './envelope.ts';

/**
 * The event log as ports: what readers of the log (the projector's rebuild and dead-letter re-drive,
 * operator reads) need from the event store. The projector never imports the command side;
 * `command-side/eventStore/eventLogPorts.ts` implements these over the Postgres event store.
 */

/** An event of the global log with its position ("<transactionId>.<globalPosition>", as in Kafka headers). */
export interface LoggedEvent {
  envelope: EventEnvelope;
  position: string;
}

export { LOG_START } from './position.ts';

/** The global event log, read gap-safely in commit order (what a rebuild replays). */
export interface EventLogSource {
  /**
   * Up to `limit` events after `after`, in (transaction id, global position) order, never skipping an
   * event whose transaction commits late. Envelopes are upcast to their current version. With
   * `types`, only events of those types (the others are skipped before parsing).
   */
  readAll(after: string, limit: number, types?: readonly string[]): Promise<LoggedEvent[]>;
  /** Events stored now, optionally of some types (an estimate is fine: it only feeds progress and ETA). */
  countEvents(types?: readonly string[]): Promise<number>;
}

/** Bounds of a stream read: at most this version, and/or only events that occurred at or before `at`. */
export interface StreamBound {
  at?: Date;
  maxVersion?: number;
}

/** One stream of the event store (what re-driving a dead letter or an "as of" answer reads). */
export interface StreamSource {
  /** The stream's events from version `fromVersion` (1-based) on, in version order, upcast. */
  readStream(streamId: string, fromVersion: number, bound?: StreamBound): Promise<EventEnvelope[]>;
}
