-- Append-only event log. Readers of the global log order by (transaction_id, global_position)
-- and only take rows whose transaction is below the snapshot xmin, so a transaction that
-- commits late is never skipped (Eventuous #222, Marten #4952, Emmett PR #336).
create table if not exists events (
  global_position bigint generated always as identity primary key,
  transaction_id  xid8        not null default pg_current_xact_id(),
  event_id        uuid        not null unique,
  stream_id       text        not null,
  stream_version  integer     not null check (stream_version > 0),
  type            text        not null,
  version         integer     not null check (version > 0),
  data            jsonb       not null,
  metadata        jsonb       not null default '{}'::jsonb,
  source          text        not null,
  correlation_id  text        not null,
  causation_id    text,
  traceparent     text,
  occurred_at     timestamptz not null,
  unique (stream_id, stream_version)
);
create index if not exists events_commit_order on events (transaction_id, global_position);
create index if not exists events_stream_time on events (stream_id, occurred_at);

-- One row per stream: the head version, updated compare-and-set by every append. The row lock
-- serialises concurrent writers to one stream; writers to other streams never wait.
create table if not exists streams (
  stream_id  text primary key,
  version    integer not null,
  updated_at timestamptz not null default now()
);

-- A retried mutation with the same key returns the first result and appends nothing.
create table if not exists idempotency_keys (
  key          text primary key,
  request_hash text not null,
  result       jsonb not null,
  created_at   timestamptz not null default now()
);

-- Checkpoints of global-log readers (the relay, rebuilds). Compare-and-set, never moved backwards.
create table if not exists log_checkpoints (
  name            text primary key,
  transaction_id  xid8   not null,
  global_position bigint not null,
  updated_at      timestamptz not null default now()
);
