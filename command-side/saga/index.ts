export { onTimeout, paymentStatusOf, react, TIMEOUT_REASON, type SagaTimedOut } from './fulfilment.ts';
export {
  reservationFacts,
  SagaContextError,
  type PaymentStatus,
  type ReservationStatus,
  type SagaContext,
} from './context.ts';
export { gatewayKey, type GatewayOperation, type GatewayPaymentCommand, type SagaStep } from './steps.ts';
