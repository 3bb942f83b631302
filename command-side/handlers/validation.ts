import type { z } from 'zod';
import { validateCommand } from '../../contracts/index.ts';

/** Input failed its contract; `issues` carry field paths. Maps to GraphQL `BAD_USER_INPUT`. */
export class InputValidationError extends Error {
  override readonly name = 'InputValidationError';
  readonly code = 'BAD_USER_INPUT';
  readonly retriable = false;
  constructor(readonly issues: { path: string[]; message: string }[]) {
    super(`invalid input: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

/**
 * Validates external input against its contract schema.
 * @throws InputValidationError listing every issue.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = validateCommand(schema, input);
  if (!r.ok) throw new InputValidationError(r.issues);
  return r.value;
}
