import { AppError } from './appError.ts';

/**
 * Error codes raised by contract-level parsing.
 * - `UNKNOWN_EVENT_TYPE`: the type is not in the event catalogue.
 * - `INVALID_EVENT`: the payload (or its version) does not match any known schema.
 * - `INVALID_ENVELOPE`: the envelope fields themselves are malformed.
 */
export type ContractErrorCode = 'UNKNOWN_EVENT_TYPE' | 'INVALID_EVENT' | 'INVALID_ENVELOPE';

/** One schema violation, with a string path (array indices stringified). */
export interface ContractIssue {
  path: string[];
  message: string;
}

/**
 * Raised when data crossing a contract boundary is not what the contract says.
 * Never retriable: the same bytes will fail the same way (dead-letter them).
 */
export class ContractError extends AppError<ContractErrorCode> {
  override readonly name = 'ContractError';
  declare readonly retriable: false;

  constructor(
    code: ContractErrorCode,
    message: string,
    readonly issues: readonly ContractIssue[] = [],
  ) {
    super(code, message, false);
  }
}
