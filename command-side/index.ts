// Public edge of the command side. Other parts import only from here (lint: boundaries rule).

// The command API: what the query side may use to run commands and map their failures.
export { catalogueCommands } from './handlers/catalogue.ts';
export { inventoryCommands } from './handlers/inventory.ts';
export { orderCommands } from './handlers/orders.ts';
export { createCommandHandler, type CommandContext, type CommandHandler, type CommandResult } from './handlers/commandHandler.ts';
export { createEventStore } from './eventStore/eventStore.ts';
export { DomainError, type DomainErrorCode } from './domain/errors.ts';
export { ConcurrencyError, IdempotencyKeyReusedError, StaleGuardError } from './handlers/errors.ts';
export { InputValidationError } from './handlers/validation.ts';

// The event store as the contracts' event-log ports (what rebuilds and operator reads use).
export { eventStorePorts, type EventStorePorts } from './eventStore/eventLogPorts.ts';

// Process roles and operator tools (used by ops/).
export { migrate, migrationsApplied } from './eventStore/migrate.ts';
export { streamAsOf, type StreamAsOf } from './handlers/streamHistory.ts';
export { createRelay } from './outbox/relay.ts';
export { outboxStatus, type OutboxStatus } from './outbox/status.ts';
export { createSagaWorker } from './saga/runtime/sagaWorker.ts';
export { createNotificationWorker } from './notifications/runtime/notificationWorker.ts';
export { createSmtpNotifier, messageIdFor } from './notifications/smtpNotifier.ts';
export { NOTIFIABLE_TYPES } from './notifications/templates.ts';
export { startSmtpSink, type SmtpSink } from './notifications/smtpSink.ts';
export { createDurableSandboxGateway } from './payments/durableSandboxGateway.ts';
export { createSandboxGateway } from './payments/sandboxGateway.ts';
export { createPostgresPaymentVault, type PaymentVault } from './payments/paymentVault.ts';
export { redactPaymentTokensBatch } from './eventStore/sql/redactPaymentTokens.ts';
