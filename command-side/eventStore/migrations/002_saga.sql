-- Durable saga timeouts (command-side/saga/runtime): one row per order still waiting for stock and
-- payment, inserted if absent when the order is placed and deleted when it closes. Sweepers claim
-- due rows with a lease (FOR UPDATE SKIP LOCKED), so several workers never fire one row together
-- and a crashed sweeper's claim simply runs out.
create table if not exists saga_timeouts (
  order_id       text        primary key,
  due_at         timestamptz not null,
  -- The placing event's trace, so the timeout's commands stay in the order's correlation.
  correlation_id text        not null,
  causation_id   text,
  traceparent    text,
  claimed_until  timestamptz,
  attempts       integer     not null default 0,
  created_at     timestamptz not null default now()
);
create index if not exists saga_timeouts_due on saga_timeouts (due_at);

-- Customer notifications already handed to the mail transport, one per order transition
-- (key `<EventType>:<orderId>`). Checked before sending and written after: delivery is
-- at-least-once with a stable Message-ID (see command-side/notifications/runtime).
create table if not exists notifications_sent (
  notification_key text        primary key,
  event_id         text        not null,
  order_id         text        not null,
  event_type       text        not null,
  message_id       text        not null,
  sent_at          timestamptz not null default now()
);
