export {
  GatewayUnavailableError,
  isGatewayUnavailable,
  type AuthoriseRequest,
  type AuthoriseResult,
  type CallOptions,
  type CaptureRequest,
  type CaptureResult,
  type PaymentGateway,
  type RefundRequest,
  type RefundResult,
  type RefusalReason,
  type UnavailableCode,
  type VoidRequest,
  type VoidResult,
} from './gateway.ts';
export {
  createSandboxGateway,
  ledgerOf,
  sandboxId,
  SANDBOX_TOKENS,
  type CallCounts,
  type LedgerEntry,
  type SandboxGateway,
  type SandboxGatewayOptions,
} from './sandboxGateway.ts';
export {
  createResilientGateway,
  type BreakerState,
  type ResilientGateway,
  type ResilientGatewayOptions,
} from './resilientGateway.ts';
export {
  createDurableSandboxGateway,
  type DurableSandboxGateway,
  type DurableSandboxGatewayOptions,
} from './durableSandboxGateway.ts';
export { type SandboxHold } from './sandboxRules.ts';
