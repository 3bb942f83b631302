-- The durable payment sandbox (command-side/payments/durableSandboxGateway.ts): the test-mode card
-- provider of local runs and tests, whose memory survives restarts of the saga worker. One row per
-- idempotency key holds the first answer, which a repeated call gets back; holds are derived from
-- the rows. Nothing here is real money, and production deployments with a real provider leave it empty.
create table if not exists sandbox_charges (
  idempotency_key  text primary key,
  operation        text        not null check (operation in ('authorise', 'capture', 'void', 'refund')),
  order_id         text        not null,
  -- authorise: the new hold's id (null when declined); capture/void/refund: the hold acted on.
  authorisation_id text,
  amount_minor     bigint      not null default 0,
  currency         text,
  fingerprint      text        not null,
  result           jsonb       not null,
  created_at       timestamptz not null default clock_timestamp()
);
create index if not exists sandbox_charges_authorisation on sandbox_charges (authorisation_id);
create index if not exists sandbox_charges_order on sandbox_charges (order_id);
