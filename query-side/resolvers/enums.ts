import type {
  DeadLetterStatus, OrderPaymentStatus, OrderReservationStatus, OrderStatus, ProjectionStatus, RebuildPhase, RebuildStatus,
} from '../../projector/index.ts';

/**
 * GraphQL enum values (UPPER_CASE, GraphQL's convention) mapped to the domain's values (the views'
 * lower-case strings). graphql-tools uses these maps both ways: a resolver returns the domain value and
 * the client sees the enum name; an enum argument reaches the resolver as the domain value.
 * Each list is a `Record<domain value, true>`, so adding a value to a domain type without adding it
 * here fails the typecheck.
 */
function enumOf<V extends string>(values: Record<V, true>): Record<string, V> {
  return Object.fromEntries((Object.keys(values) as V[]).map((v) => [v.toUpperCase().replaceAll('-', '_'), v]));
}

/** Enum resolvers: schema enum name → (GraphQL value → domain value). */
export const enumResolvers = {
  HealthStatus: enumOf<'ok'>({ ok: true }),
  OrderStatus: enumOf<OrderStatus>({ placed: true, confirmed: true, rejected: true, shipped: true, cancelled: true }),
  PaymentStatus: enumOf<OrderPaymentStatus>({ pending: true, authorised: true, failed: true, captured: true, voided: true, refunded: true }),
  ReservationStatus: enumOf<OrderReservationStatus>({ pending: true, reserved: true, short: true, released: true }),
  Staleness: enumOf<NonNullable<ProjectionStatus['stale']>>({ behind: true, ahead: true }),
  RebuildStatus: enumOf<RebuildStatus>({ running: true, done: true, failed: true, aborted: true }),
  RebuildPhase: enumOf<RebuildPhase>({
    starting: true, replaying: true, comparing: true, 'catching-up': true, switching: true, draining: true, dropping: true, done: true,
  }),
  DeadLetterStatus: enumOf<DeadLetterStatus>({ open: true, retried: true, discarded: true }),
};
