import { catalogueEvents, type CatalogueEvent } from './catalogue.ts';
import type { EventDef } from './family.ts';
import { inventoryEvents, type InventoryEvent } from './inventory.ts';
import { ordersEvents, type OrdersEvent } from './orders.ts';
import { paymentsEvents, type PaymentsEvent } from './payments.ts';

/** Every event type grouped by family; a family is one Kafka topic. */
export const EVENT_FAMILIES = {
  catalogue: catalogueEvents,
  orders: ordersEvents,
  inventory: inventoryEvents,
  payments: paymentsEvents,
} as const;

/** Name of an event family. */
export type EventFamily = keyof typeof EVENT_FAMILIES;

/** Discriminated union of all events at their current version. */
export type DomainEvent = CatalogueEvent | OrdersEvent | InventoryEvent | PaymentsEvent;

/** Every event type name. */
export type EventType = DomainEvent['type'];

/** The event with type `T`. */
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

const FAMILY_OF = new Map<string, EventFamily>();
const DEFS = new Map<string, EventDef>();
for (const [family, defs] of Object.entries(EVENT_FAMILIES) as [EventFamily, Record<string, EventDef>][]) {
  for (const [type, def] of Object.entries(defs)) {
    FAMILY_OF.set(type, family);
    DEFS.set(type, def);
  }
}

/** Current schema version of each event type. */
export const CURRENT_VERSION = Object.freeze(
  Object.fromEntries([...DEFS].map(([type, def]) => [type, def.version])),
) as Readonly<Record<EventType, number>>;

/** True when `type` names a known event type. */
export function isEventType(type: string): type is EventType {
  return DEFS.has(type);
}

/** Current-version definition of a known event type (internal to contracts). */
export function eventDef(type: EventType): EventDef {
  const def = DEFS.get(type);
  if (!def) throw new Error(`unreachable: no definition for ${type}`);
  return def;
}

/** The family an event type belongs to. */
export function familyOf(type: EventType): EventFamily {
  const family = FAMILY_OF.get(type);
  if (!family) throw new Error(`unreachable: no family for ${type}`);
  return family;
}

/** Kafka topic of an event type: `<family>.events`. */
export function topicOf(type: EventType): `${EventFamily}.events` {
  return `${familyOf(type)}.events`;
}
