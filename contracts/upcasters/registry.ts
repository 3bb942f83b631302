import { ContractError } from '../errors.ts';
import type { EventType } from '../events/registry.ts';
import { upcastOrderPlacedV1 } from './orderPlaced.ts';
import { upcastOrderPlacedV2 } from './orderPlacedV2.ts';

/** Turns data of version `n` into data of version `n + 1`. */
export type Upcaster = (data: unknown) => unknown;

/**
 * Upcasters per event type, keyed by the version they read. A type absent here has
 * only ever had one version. Old payloads are upcast on read, never rewritten.
 */
export const UPCASTERS: Readonly<Partial<Record<EventType, Readonly<Record<number, Upcaster>>>>> = {
  OrderPlaced: { 1: upcastOrderPlacedV1, 2: upcastOrderPlacedV2 },
};

/**
 * Runs the upcaster chain from `version` up to `target`.
 * @returns the data at `target` (not yet validated against the target schema).
 * @throws ContractError `INVALID_EVENT` for a version newer than `target`, below 1, or
 * with no upcaster for some step (and whatever a step itself throws).
 */
export function upcast(type: EventType, version: number, data: unknown, target: number): unknown {
  if (!Number.isInteger(version) || version < 1 || version > target) {
    throw new ContractError('INVALID_EVENT', `${type} has unsupported version ${version} (current ${target})`);
  }
  let current = data;
  for (let v = version; v < target; v++) {
    const step = UPCASTERS[type]?.[v];
    if (!step) throw new ContractError('INVALID_EVENT', `no upcaster for ${type} v${v} -> v${v + 1}`);
    current = step(current);
  }
  return current;
}
