import { AppError } from '../../contracts/index.ts';

/** GraphQL-facing codes a domain rule can fail with. */
export type DomainErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN';

/**
 * A business rule said no. Thrown by `decide`; the handler appends nothing and maps
 * `code` to `extensions.code`. Not retriable: the same command on the same state
 * fails the same way (optimistic-concurrency retries are the event store's concern).
 */
export class DomainError extends AppError<DomainErrorCode> {
  override readonly name = 'DomainError';
  declare readonly retriable: false;

  constructor(
    code: DomainErrorCode,
    message: string,
    /** Input path the error refers to, e.g. `['lines', '2', 'sku']`. */
    readonly path?: string[],
  ) {
    super(code, message, false);
  }
}

/** @throws DomainError `BAD_USER_INPUT` unless `n` is a positive safe integer. */
export function assertPositiveInt(n: number, what: string, path?: string[]): void {
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new DomainError('BAD_USER_INPUT', `${what} must be a positive integer, got ${n}`, path);
  }
}

/** @throws DomainError `BAD_USER_INPUT` unless `currency` is an ISO-4217 style code. */
export function assertCurrency(currency: string, path?: string[]): void {
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new DomainError('BAD_USER_INPUT', `currency must be 3 upper-case letters, got "${currency}"`, path);
  }
}
