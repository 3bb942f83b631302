// Public edge of the contracts: the vocabulary every part shares (events, commands, envelope, stream ids,
// log positions, event-log ports, dead-letter headers, the AppError base). Contracts import nothing else.
export { AppError, isRetriable } from './appError.ts';
export { ContractError, type ContractErrorCode, type ContractIssue } from './errors.ts';
export * from './events/index.ts';
export * from './commands/index.ts';
export { eventOf, makeEnvelope, parseEnvelope, type EventEnvelope, type MakeEnvelopeInput } from './envelope.ts';
export { AmountMinor, Currency, Id, Money, Quantity, Timestamp } from './primitives.ts';
export { familyOfStream, parseStreamId, streamIdOf, type AggregateKind, type ParsedStreamId } from './streams.ts';
export { comparePositions, comparePositionText, formatPosition, isPositionText, LOG_START, parsePosition, START, type LogPosition } from './position.ts';
export type { EventLogSource, LoggedEvent, StreamBound, StreamSource } from './eventLog.ts';
export { DLQ_HEADERS, deadLetterHeaders, errorText, type DeadLetterOrigin } from './deadLetter.ts';
