/**
 * The one base of every typed error in orderflow: a machine-readable `code` and whether trying the
 * same thing again may succeed (`retriable`). Callers decide on these two fields, never on the class
 * name or the message text.
 */
export abstract class AppError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    /** True when the same call may succeed later (a store down, a lost race); false when it fails the same way. */
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

/** True for an `AppError` that says a retry may succeed. */
export function isRetriable(err: unknown): boolean {
  return err instanceof AppError && err.retriable;
}
