import type { InventoryCommand } from '../domain/inventory/decide.ts';
import type { OrderCommand } from '../domain/order/decide.ts';
import type { CapturePayment, RefundPayment, VoidPayment } from '../domain/payment/decide.ts';

/** A payment command the runtime carries out at the gateway first, then records. */
export type GatewayPaymentCommand = CapturePayment | VoidPayment | RefundPayment;

/**
 * One thing the saga runtime must do. Every step names the order it serves and is safe
 * to repeat: the target aggregate returns `[]` for a repeat, the gateway replays its
 * first answer for the same idempotency key, and timeout rows are keyed by order.
 */
export type SagaStep =
  /** Handle `command` on the order aggregate (stream `order-<orderId>`). */
  | { kind: 'order'; orderId: string; command: OrderCommand }
  /** Handle `command` on the inventory item aggregate (stream `inventory-<sku>`). */
  | { kind: 'inventory'; sku: string; command: InventoryCommand }
  /**
   * Call `gateway.authorise` with `idempotencyKey`, then handle `RecordAuthorisation`
   * with its answer on the payment aggregate (stream `payment-<orderId>`). `paymentRef` is the
   * provider's reference for the card; the runtime resolves it to the token only for the call.
   */
  | { kind: 'authorise'; orderId: string; amountMinor: number; currency: string; paymentRef: string; idempotencyKey: string }
  /**
   * Decide `command` on the payment aggregate first: `[]` means already done, skip the
   * gateway. Otherwise call the gateway's capture/void/refund with `idempotencyKey`
   * (authorisation id and amount from the aggregate), then append what was decided.
   * A crash between the two repeats the call, which the gateway replays by key.
   */
  | { kind: 'payment'; orderId: string; command: GatewayPaymentCommand; idempotencyKey: string }
  /**
   * Store the durable timeout row `(orderId, dueAt)` if the order has none yet
   * (insert-if-absent: a repeat keeps the first due time).
   */
  | { kind: 'scheduleTimeout'; orderId: string; dueAt: string }
  /** Delete the order's timeout row, if any. */
  | { kind: 'clearTimeout'; orderId: string };

/** Kinds of gateway calls the saga makes. */
export type GatewayOperation = 'authorise' | 'capture' | 'void' | 'refund';

/** The gateway idempotency key of an order's operation: one authorisation, capture, void, refund per order. */
export function gatewayKey(operation: GatewayOperation, orderId: string): string {
  return `payment:${operation}:${orderId}`;
}

const OPERATION: Record<GatewayPaymentCommand['type'], GatewayOperation> = {
  CapturePayment: 'capture',
  VoidPayment: 'void',
  RefundPayment: 'refund',
};

/** A gateway-backed payment step for `command`. */
export function paymentStep(command: GatewayPaymentCommand): SagaStep {
  const { orderId } = command.data;
  return { kind: 'payment', orderId, command, idempotencyKey: gatewayKey(OPERATION[command.type], orderId) };
}

/** An order step. */
export function orderStep(command: OrderCommand): SagaStep {
  return { kind: 'order', orderId: command.data.orderId, command };
}

/** An inventory step. */
export function inventoryStep(command: InventoryCommand): SagaStep {
  return { kind: 'inventory', sku: command.data.sku, command };
}
