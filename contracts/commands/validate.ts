import type { z } from 'zod';
import { toIssues } from '../primitives.ts';

/** Outcome of {@link validateCommand}: the parsed value, or every issue found. */
export type ValidationResult<T> =
  | { ok: true; value: T }
  | { ok: false; issues: { path: string[]; message: string }[] };

/**
 * Validates external input against a command schema. Never throws for bad input:
 * issues carry string paths (array indices stringified) for GraphQL error extensions.
 */
export function validateCommand<S extends z.ZodType>(schema: S, input: unknown): ValidationResult<z.output<S>> {
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, issues: toIssues(parsed.error) };
}
