import { ContractError } from '../errors.ts';
import { toIssues } from '../primitives.ts';
import { upcast } from '../upcasters/registry.ts';
import { CURRENT_VERSION, eventDef, isEventType, type DomainEvent } from './registry.ts';

/**
 * Turns stored or received event data of any known version into a current-version
 * {@link DomainEvent}: upcast first, then validate with the current zod schema
 * (unknown keys are stripped, so additive changes stay readable).
 * @throws ContractError `UNKNOWN_EVENT_TYPE` for a type not in the catalogue;
 * `INVALID_EVENT` for an unsupported version or data that fails validation.
 */
export function parseEventData(type: string, version: number, data: unknown): DomainEvent {
  if (!isEventType(type)) throw new ContractError('UNKNOWN_EVENT_TYPE', `unknown event type "${type}"`);
  const current = upcast(type, version, data, CURRENT_VERSION[type]);
  const parsed = eventDef(type).schema.safeParse(current);
  if (!parsed.success) {
    throw new ContractError('INVALID_EVENT', `${type} data is invalid`, toIssues(parsed.error));
  }
  // The registry pairs each type with its own schema, so this pairing is sound.
  return { type, data: parsed.data } as DomainEvent;
}
