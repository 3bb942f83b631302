-- The sandbox provider's card vault (command-side/payments/paymentVault.ts): the payment step
-- exchanges the client's card token for a reference here, and only the reference enters events,
-- Kafka, logs and dead letters. Like sandbox_charges this is the simulated provider's own memory,
-- not ours: a real provider keeps its tokens on its side.
create table if not exists sandbox_payment_methods (
  ref        text primary key,
  token      text        not null,
  created_at timestamptz not null default clock_timestamp()
);
