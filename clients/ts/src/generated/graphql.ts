/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** A shipping address. */
export type AddressInput = {
  /** City. */
  city: string;
  /** ISO 3166 alpha-2, e.g. FR. */
  country: string;
  /** Street and number. */
  line1: string;
  /** Postal code. */
  postalCode: string;
};

/** An order to cancel. */
export type CancelOrderInput = {
  /** The order. */
  orderId: string | number;
  /** Why (kept in the event). */
  reason: string;
};

/** A new product for the catalogue. */
export type DefineProductInput = {
  /** Display name. */
  name: string;
  /** Upper-case letters, digits and dashes, up to 32. */
  sku: string;
  /** Price of one unit. */
  unitPrice: MoneyInput;
};

/** Whether the GraphQL server answers. */
export type HealthStatus =
  /** The server answers. */
  | 'OK';

/** An amount of money, as input. */
export type MoneyInput = {
  /** The amount in the currency's minor units. */
  amountMinor: number;
  /** ISO-4217 code, e.g. EUR. */
  currency: string;
};

/** One line of an order to place. */
export type OrderLineInput = {
  /** Units (positive). */
  quantity: number;
  /** The SKU. */
  sku: string;
};

/** Where an order is in its life. */
export type OrderStatus =
  /** Cancelled before shipping. */
  | 'CANCELLED'
  /** Stock reserved and payment authorised. */
  | 'CONFIRMED'
  /** Placed; stock and payment are being secured. */
  | 'PLACED'
  /** Stock or payment failed; nothing is held. */
  | 'REJECTED'
  /** The parcel left. */
  | 'SHIPPED';

/** Where an order's payment is. */
export type PaymentStatus =
  /** The provider holds the amount. */
  | 'AUTHORISED'
  /** The held amount was taken. */
  | 'CAPTURED'
  /** The provider refused. */
  | 'FAILED'
  /** Not answered by the provider yet. */
  | 'PENDING'
  /** A captured amount was paid back. */
  | 'REFUNDED'
  /** The hold was released. */
  | 'VOIDED';

/** An order to place; prices come from the catalogue, never from the client. */
export type PlaceOrderInput = {
  /** The customer placing it. */
  customerId: string;
  /** What is ordered. */
  lines: Array<OrderLineInput>;
  /** Optional client-chosen id (uuid) for safe retries; otherwise derived from idempotencyKey or new. */
  orderId?: string | number | null | undefined;
  /** A payment-provider token (sandbox: tok_visa, tok_declined, tok_timeout, ...). */
  paymentToken: string;
  /** Where it goes. */
  shippingAddress: AddressInput;
};

/** Where a rebuild is. */
export type RebuildPhase =
  /** Catching up with the live tail. */
  | 'CATCHING_UP'
  /** Comparing shadow and live documents. */
  | 'COMPARING'
  /** Finished. */
  | 'DONE'
  /** Waiting for readers of the old generation. */
  | 'DRAINING'
  /** Dropping the old generation. */
  | 'DROPPING'
  /** Replaying the event store into the shadow generation. */
  | 'REPLAYING'
  /** Claiming the lease. */
  | 'STARTING'
  /** Switching the alias to the new generation. */
  | 'SWITCHING';

/** How a rebuild ended, or that it has not. */
export type RebuildStatus =
  /** Stopped by its owner; the live views were kept. */
  | 'ABORTED'
  /** Switched to the new generation. */
  | 'DONE'
  /** Stopped on an error; the live views were kept. */
  | 'FAILED'
  /** Going on. */
  | 'RUNNING';

/** Where an order's stock reservation is. */
export type ReservationStatus =
  /** Not answered yet. */
  | 'PENDING'
  /** The held units went back to stock. */
  | 'RELEASED'
  /** Every line's units are held. */
  | 'RESERVED'
  /** Some SKU had too few units; nothing is held. */
  | 'SHORT';

/** Units arriving for a SKU. */
export type RestockInput = {
  /** Units that arrived (positive). */
  quantity: number;
  /** The SKU. */
  sku: string;
};

export type DefineProductMutationVariables = Exact<{
  input: DefineProductInput;
  idempotencyKey?: string | null | undefined;
}>;


export type DefineProductMutation = { defineProduct: { id: string, streamVersion: number, consistencyToken: string, applied: boolean } };

export type RestockMutationVariables = Exact<{
  input: RestockInput;
  idempotencyKey?: string | null | undefined;
}>;


export type RestockMutation = { restock: { id: string, streamVersion: number, consistencyToken: string, applied: boolean } };

export type InventoryQueryVariables = Exact<{
  skus: Array<string> | string;
  consistentWith?: string | null | undefined;
}>;


export type InventoryQuery = { inventory: Array<{ sku: string, onHand: number, reserved: number, available: number }> };

export type ProjectionStatusQueryVariables = Exact<{ [key: string]: never; }>;


export type ProjectionStatusQuery = { projectionStatus: Array<{ name: string, lag: number, deadLettersOpen: number, rebuild: { projection: string, status: RebuildStatus, phase: RebuildPhase, eventsDone: number, totalEstimate: number, rate: number, etaSeconds: number | null } | null }> };

export type HealthQueryVariables = Exact<{ [key: string]: never; }>;


export type HealthQuery = { health: { status: HealthStatus, version: string } };

export type SystemMetricsQueryVariables = Exact<{ [key: string]: never; }>;


export type SystemMetricsQuery = { systemMetrics: { sampledAt: string, eventsPublished: number | null, graphqlRequests: number, endToEnd: Array<{ projection: string, count: number, sumSeconds: number }> } };

export type MutationOutcomeFragment = { id: string, streamVersion: number, consistencyToken: string, applied: boolean };

export type OrderViewFragment = { id: string, customerId: string, status: OrderStatus, rejectionReason: string | null, placedAt: string, updatedAt: string, version: number, total: { amountMinor: number, currency: string }, lines: Array<{ sku: string, quantity: number, unitPrice: { amountMinor: number, currency: string }, lineTotal: { amountMinor: number, currency: string } }>, statusHistory: Array<{ status: OrderStatus, at: string, reason: string | null }>, payment: { status: PaymentStatus, reason: string | null }, reservation: { status: ReservationStatus, reason: string | null } };

export type OrderRowFragment = { id: string, customerId: string, status: OrderStatus, itemCount: number, placedAt: string, updatedAt: string, total: { amountMinor: number, currency: string } };

export type PlaceOrderMutationVariables = Exact<{
  input: PlaceOrderInput;
  idempotencyKey?: string | null | undefined;
}>;


export type PlaceOrderMutation = { placeOrder: { id: string, streamVersion: number, consistencyToken: string, applied: boolean } };

export type CancelOrderMutationVariables = Exact<{
  input: CancelOrderInput;
  idempotencyKey?: string | null | undefined;
}>;


export type CancelOrderMutation = { cancelOrder: { id: string, streamVersion: number, consistencyToken: string, applied: boolean } };

export type OrderQueryVariables = Exact<{
  id: string | number;
  consistentWith?: string | null | undefined;
}>;


export type OrderQuery = { order: { id: string, customerId: string, status: OrderStatus, rejectionReason: string | null, placedAt: string, updatedAt: string, version: number, total: { amountMinor: number, currency: string }, lines: Array<{ sku: string, quantity: number, unitPrice: { amountMinor: number, currency: string }, lineTotal: { amountMinor: number, currency: string } }>, statusHistory: Array<{ status: OrderStatus, at: string, reason: string | null }>, payment: { status: PaymentStatus, reason: string | null }, reservation: { status: ReservationStatus, reason: string | null } } | null };

export type OrdersByCustomerQueryVariables = Exact<{
  customerId: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  consistentWith?: string | null | undefined;
}>;


export type OrdersByCustomerQuery = { ordersByCustomer: { edges: Array<{ cursor: string, node: { id: string, customerId: string, status: OrderStatus, itemCount: number, placedAt: string, updatedAt: string, total: { amountMinor: number, currency: string } } }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } };

export type OrderUpdatedSubscriptionVariables = Exact<{
  orderId: string | number;
  since?: string | null | undefined;
  consistentWith?: string | null | undefined;
}>;


export type OrderUpdatedSubscription = { orderUpdated: { token: string, order: { id: string, customerId: string, status: OrderStatus, rejectionReason: string | null, placedAt: string, updatedAt: string, version: number, total: { amountMinor: number, currency: string }, lines: Array<{ sku: string, quantity: number, unitPrice: { amountMinor: number, currency: string }, lineTotal: { amountMinor: number, currency: string } }>, statusHistory: Array<{ status: OrderStatus, at: string, reason: string | null }>, payment: { status: PaymentStatus, reason: string | null }, reservation: { status: ReservationStatus, reason: string | null } } } };

export type CustomerOrdersChangedSubscriptionVariables = Exact<{
  customerId: string;
  since?: string | null | undefined;
  consistentWith?: string | null | undefined;
}>;


export type CustomerOrdersChangedSubscription = { customerOrdersChanged: { token: string, order: { id: string, customerId: string, status: OrderStatus, itemCount: number, placedAt: string, updatedAt: string, total: { amountMinor: number, currency: string } } } };

export type RevenueDayViewFragment = { day: string, currency: string, gross: number, refunded: number, net: number, orderCount: number, cancelledCount: number };

export type RevenueByDayQueryVariables = Exact<{
  from: string;
  to: string;
  currency?: string | null | undefined;
  consistentWith?: string | null | undefined;
}>;


export type RevenueByDayQuery = { revenueByDay: Array<{ day: string, currency: string, gross: number, refunded: number, net: number, orderCount: number, cancelledCount: number }> };

export type RevenueUpdatedSubscriptionVariables = Exact<{
  currency: string;
  since?: string | null | undefined;
  consistentWith?: string | null | undefined;
}>;


export type RevenueUpdatedSubscription = { revenueUpdated: { token: string, day: { day: string, currency: string, gross: number, refunded: number, net: number, orderCount: number, cancelledCount: number } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const MutationOutcomeFragmentDoc = new TypedDocumentString(`
    fragment MutationOutcome on MutationResult {
  id
  streamVersion
  consistencyToken
  applied
}
    `, {"fragmentName":"MutationOutcome"}) as unknown as TypedDocumentString<MutationOutcomeFragment, unknown>;
export const OrderViewFragmentDoc = new TypedDocumentString(`
    fragment OrderView on Order {
  id
  customerId
  status
  total {
    amountMinor
    currency
  }
  lines {
    sku
    quantity
    unitPrice {
      amountMinor
      currency
    }
    lineTotal {
      amountMinor
      currency
    }
  }
  statusHistory {
    status
    at
    reason
  }
  payment {
    status
    reason
  }
  reservation {
    status
    reason
  }
  rejectionReason
  placedAt
  updatedAt
  version
}
    `, {"fragmentName":"OrderView"}) as unknown as TypedDocumentString<OrderViewFragment, unknown>;
export const OrderRowFragmentDoc = new TypedDocumentString(`
    fragment OrderRow on OrderSummary {
  id
  customerId
  status
  total {
    amountMinor
    currency
  }
  itemCount
  placedAt
  updatedAt
}
    `, {"fragmentName":"OrderRow"}) as unknown as TypedDocumentString<OrderRowFragment, unknown>;
export const RevenueDayViewFragmentDoc = new TypedDocumentString(`
    fragment RevenueDayView on RevenueDay {
  day
  currency
  gross
  refunded
  net
  orderCount
  cancelledCount
}
    `, {"fragmentName":"RevenueDayView"}) as unknown as TypedDocumentString<RevenueDayViewFragment, unknown>;
export const DefineProductDocument = new TypedDocumentString(`
    mutation DefineProduct($input: DefineProductInput!, $idempotencyKey: String) {
  defineProduct(input: $input, idempotencyKey: $idempotencyKey) {
    ...MutationOutcome
  }
}
    fragment MutationOutcome on MutationResult {
  id
  streamVersion
  consistencyToken
  applied
}`) as unknown as TypedDocumentString<DefineProductMutation, DefineProductMutationVariables>;
export const RestockDocument = new TypedDocumentString(`
    mutation Restock($input: RestockInput!, $idempotencyKey: String) {
  restock(input: $input, idempotencyKey: $idempotencyKey) {
    ...MutationOutcome
  }
}
    fragment MutationOutcome on MutationResult {
  id
  streamVersion
  consistencyToken
  applied
}`) as unknown as TypedDocumentString<RestockMutation, RestockMutationVariables>;
export const InventoryDocument = new TypedDocumentString(`
    query Inventory($skus: [String!]!, $consistentWith: String) {
  inventory(skus: $skus, consistentWith: $consistentWith) {
    sku
    onHand
    reserved
    available
  }
}
    `) as unknown as TypedDocumentString<InventoryQuery, InventoryQueryVariables>;
export const ProjectionStatusDocument = new TypedDocumentString(`
    query ProjectionStatus {
  projectionStatus {
    name
    lag
    deadLettersOpen
    rebuild {
      projection
      status
      phase
      eventsDone
      totalEstimate
      rate
      etaSeconds
    }
  }
}
    `) as unknown as TypedDocumentString<ProjectionStatusQuery, ProjectionStatusQueryVariables>;
export const HealthDocument = new TypedDocumentString(`
    query Health {
  health {
    status
    version
  }
}
    `) as unknown as TypedDocumentString<HealthQuery, HealthQueryVariables>;
export const SystemMetricsDocument = new TypedDocumentString(`
    query SystemMetrics {
  systemMetrics {
    sampledAt
    eventsPublished
    graphqlRequests
    endToEnd {
      projection
      count
      sumSeconds
    }
  }
}
    `) as unknown as TypedDocumentString<SystemMetricsQuery, SystemMetricsQueryVariables>;
export const PlaceOrderDocument = new TypedDocumentString(`
    mutation PlaceOrder($input: PlaceOrderInput!, $idempotencyKey: String) {
  placeOrder(input: $input, idempotencyKey: $idempotencyKey) {
    ...MutationOutcome
  }
}
    fragment MutationOutcome on MutationResult {
  id
  streamVersion
  consistencyToken
  applied
}`) as unknown as TypedDocumentString<PlaceOrderMutation, PlaceOrderMutationVariables>;
export const CancelOrderDocument = new TypedDocumentString(`
    mutation CancelOrder($input: CancelOrderInput!, $idempotencyKey: String) {
  cancelOrder(input: $input, idempotencyKey: $idempotencyKey) {
    ...MutationOutcome
  }
}
    fragment MutationOutcome on MutationResult {
  id
  streamVersion
  consistencyToken
  applied
}`) as unknown as TypedDocumentString<CancelOrderMutation, CancelOrderMutationVariables>;
export const OrderDocument = new TypedDocumentString(`
    query Order($id: ID!, $consistentWith: String) {
  order(id: $id, consistentWith: $consistentWith) {
    ...OrderView
  }
}
    fragment OrderView on Order {
  id
  customerId
  status
  total {
    amountMinor
    currency
  }
  lines {
    sku
    quantity
    unitPrice {
      amountMinor
      currency
    }
    lineTotal {
      amountMinor
      currency
    }
  }
  statusHistory {
    status
    at
    reason
  }
  payment {
    status
    reason
  }
  reservation {
    status
    reason
  }
  rejectionReason
  placedAt
  updatedAt
  version
}`) as unknown as TypedDocumentString<OrderQuery, OrderQueryVariables>;
export const OrdersByCustomerDocument = new TypedDocumentString(`
    query OrdersByCustomer($customerId: String!, $first: Int, $after: String, $consistentWith: String) {
  ordersByCustomer(
    customerId: $customerId
    first: $first
    after: $after
    consistentWith: $consistentWith
  ) {
    edges {
      cursor
      node {
        ...OrderRow
      }
    }
    pageInfo {
      endCursor
      hasNextPage
    }
  }
}
    fragment OrderRow on OrderSummary {
  id
  customerId
  status
  total {
    amountMinor
    currency
  }
  itemCount
  placedAt
  updatedAt
}`) as unknown as TypedDocumentString<OrdersByCustomerQuery, OrdersByCustomerQueryVariables>;
export const OrderUpdatedDocument = new TypedDocumentString(`
    subscription OrderUpdated($orderId: ID!, $since: String, $consistentWith: String) {
  orderUpdated(orderId: $orderId, since: $since, consistentWith: $consistentWith) {
    token
    order {
      ...OrderView
    }
  }
}
    fragment OrderView on Order {
  id
  customerId
  status
  total {
    amountMinor
    currency
  }
  lines {
    sku
    quantity
    unitPrice {
      amountMinor
      currency
    }
    lineTotal {
      amountMinor
      currency
    }
  }
  statusHistory {
    status
    at
    reason
  }
  payment {
    status
    reason
  }
  reservation {
    status
    reason
  }
  rejectionReason
  placedAt
  updatedAt
  version
}`) as unknown as TypedDocumentString<OrderUpdatedSubscription, OrderUpdatedSubscriptionVariables>;
export const CustomerOrdersChangedDocument = new TypedDocumentString(`
    subscription CustomerOrdersChanged($customerId: String!, $since: String, $consistentWith: String) {
  customerOrdersChanged(
    customerId: $customerId
    since: $since
    consistentWith: $consistentWith
  ) {
    token
    order {
      ...OrderRow
    }
  }
}
    fragment OrderRow on OrderSummary {
  id
  customerId
  status
  total {
    amountMinor
    currency
  }
  itemCount
  placedAt
  updatedAt
}`) as unknown as TypedDocumentString<CustomerOrdersChangedSubscription, CustomerOrdersChangedSubscriptionVariables>;
export const RevenueByDayDocument = new TypedDocumentString(`
    query RevenueByDay($from: String!, $to: String!, $currency: String, $consistentWith: String) {
  revenueByDay(
    from: $from
    to: $to
    currency: $currency
    consistentWith: $consistentWith
  ) {
    ...RevenueDayView
  }
}
    fragment RevenueDayView on RevenueDay {
  day
  currency
  gross
  refunded
  net
  orderCount
  cancelledCount
}`) as unknown as TypedDocumentString<RevenueByDayQuery, RevenueByDayQueryVariables>;
export const RevenueUpdatedDocument = new TypedDocumentString(`
    subscription RevenueUpdated($currency: String!, $since: String, $consistentWith: String) {
  revenueUpdated(
    currency: $currency
    since: $since
    consistentWith: $consistentWith
  ) {
    token
    day {
      ...RevenueDayView
    }
  }
}
    fragment RevenueDayView on RevenueDay {
  day
  currency
  gross
  refunded
  net
  orderCount
  cancelledCount
}`) as unknown as TypedDocumentString<RevenueUpdatedSubscription, RevenueUpdatedSubscriptionVariables>;