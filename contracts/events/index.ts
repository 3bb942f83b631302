export {
  CURRENT_VERSION,
  EVENT_FAMILIES,
  familyOf,
  isEventType,
  topicOf,
  type DomainEvent,
  type EventFamily,
  type EventOf,
  type EventType,
} from './registry.ts';
export { parseEventData } from './parse.ts';
export type { EventDef, EventsOf } from './family.ts';
export * from './catalogue.ts';
export * from './orders.ts';
export * from './inventory.ts';
export * from './payments.ts';
