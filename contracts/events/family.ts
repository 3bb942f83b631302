import type { z } from 'zod';

/** One event type's current version and the zod schema of its data at that version. */
export interface EventDef {
  readonly version: number;
  readonly schema: z.ZodType;
}

/** Derives the `{ type, data }` union of a family map of {@link EventDef}s. */
export type EventsOf<M extends Record<string, EventDef>> = {
  [K in keyof M & string]: { type: K; data: z.output<M[K]['schema']> };
}[keyof M & string];
